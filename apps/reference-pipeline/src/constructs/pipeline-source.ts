import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { FactoryConfig } from '../config/schema';

/** Variables namespace of the source action: `#{Source.CommitId}`, `#{Source.BranchName}`. */
export const SOURCE_NAMESPACE = 'Source';

/**
 * The source action for the configured provider. Either way the output is a
 * full git clone (`codeBuildCloneOutput`), which the secret scan needs to walk
 * the whole history rather than a zip of one commit.
 */
export class PipelineSource extends Construct {
  public readonly output = new codepipeline.Artifact('Source');
  public readonly action: codepipeline.IAction;
  /** The repository as the findings scope names it. */
  public readonly repositoryName: string;

  /**
   * @param options.triggerOnPush false for a pipeline started by its own triggers (the pull-request pipeline):
   *   a push to the branch must not start it too.
   */
  constructor(scope: Construct, id: string, source: FactoryConfig['source'], options: { triggerOnPush?: boolean } = {}) {
    super(scope, id);
    if (source.type === 'codeconnections') {
      const [owner, repo] = source.repository.split('/');
      this.repositoryName = source.repository;
      this.action = new ConnectionsSourceAction({
        actionName: 'Source',
        connectionArn: source.connectionArn
          ?? ssm.StringParameter.valueForStringParameter(this, source.connectionArnParameter!),
        owner,
        repo,
        branch: source.branch,
        output: this.output,
        codeBuildCloneOutput: true,
        triggerOnPush: options.triggerOnPush ?? true,
        variablesNamespace: SOURCE_NAMESPACE,
      });
    } else {
      this.repositoryName = source.repositoryName;
      this.action = new actions.CodeCommitSourceAction({
        actionName: 'Source',
        repository: codecommit.Repository.fromRepositoryName(this, 'Repository', source.repositoryName),
        branch: source.branch,
        output: this.output,
        codeBuildCloneOutput: true,
        trigger: actions.CodeCommitTrigger.EVENTS,
        variablesNamespace: SOURCE_NAMESPACE,
      });
    }
  }
}

/**
 * aws-cdk-lib grants the source action role only `codestar-connections:UseConnection`.
 * Connections created since July 2024 have `arn:<partition>:codeconnections:...` ARNs and
 * IAM matches the action's service prefix against the resource's: grant both. (The scan
 * and deploy projects that clone get both from their constructs.)
 */
class ConnectionsSourceAction extends actions.CodeStarConnectionsSourceAction {
  private readonly connectionArn: string;

  constructor(props: actions.CodeStarConnectionsSourceActionProps) {
    super(props);
    this.connectionArn = props.connectionArn;
  }

  protected bound(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = super.bound(scope, stage, options);
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codeconnections:UseConnection'],
      resources: [this.connectionArn],
    }));
    return config;
  }
}
