import { acknowledgeArtifactBucketGrants } from '@devsecops-factory/construct-kit';
import {
  aws_codepipeline as codepipeline,
  aws_codepipeline_actions as actions,
  aws_iam as iam,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * The deploy's CodeBuild action. The artifact bucket is only known when the
 * action joins a pipeline, so that is when the project role's grant on it is
 * acknowledged.
 */
export class DeployAction extends actions.CodeBuildAction {
  private readonly projectRole: iam.IRole;

  constructor(projectRole: iam.IRole, props: actions.CodeBuildActionProps) {
    super(props);
    this.projectRole = projectRole;
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = super.bound(scope, stage, options);
    acknowledgeArtifactBucketGrants(this.projectRole, options.bucket, { writes: (this.actionProperties.outputs ?? []).length > 0 });
    this.grantCodeConnectionsUse();
    return config;
  }

  /**
   * aws-cdk-lib grants a project that clones through a connection only
   * `codestar-connections:UseConnection`. Connections created since July 2024
   * have `arn:<partition>:codeconnections:...` ARNs, and IAM matches the
   * action's service prefix against the resource's: grant both.
   */
  private grantCodeConnectionsUse(): void {
    for (const input of this.actionProperties.inputs ?? []) {
      const connectionArn = input.getMetadata(CONNECTION_ARN_METADATA);
      if (connectionArn === undefined) continue;
      this.projectRole.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['codeconnections:UseConnection'],
        resources: [connectionArn],
      }));
    }
  }
}

/**
 * Where aws-cdk-lib's CodeStarConnectionsSourceAction records the connection
 * ARN on a full-clone (`codeBuildCloneOutput`) output artifact.
 */
const CONNECTION_ARN_METADATA = 'CodeStarConnectionArnProperty';
