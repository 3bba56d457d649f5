import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/**
 * Where aws-cdk-lib's CodeStarConnectionsSourceAction records the connection
 * ARN on a full-clone (`codeBuildCloneOutput`) output artifact.
 */
export const CONNECTION_ARN_METADATA = 'CodeStarConnectionArnProperty';

/** The two IAM service prefixes a connection ARN may carry. */
export const USE_CONNECTION_ACTIONS = ['codestar-connections:UseConnection', 'codeconnections:UseConnection'];

/**
 * aws-cdk-lib grants only `codestar-connections:UseConnection` to a project
 * that clones through a connection. Connections created since July 2024 have
 * `arn:<partition>:codeconnections:...` ARNs and IAM matches the action's
 * service prefix against the resource's, so the clone is denied without
 * `codeconnections:UseConnection` on the same connection.
 */
export function grantUseConnection(grantee: iam.IGrantable, inputs: codepipeline.Artifact[] = []): void {
  for (const input of inputs) {
    const connectionArn = input.getMetadata(CONNECTION_ARN_METADATA);
    if (connectionArn === undefined) continue;
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['codeconnections:UseConnection'],
      resources: [connectionArn],
    }));
  }
}

/**
 * The action as given, which also grants `codeconnections:UseConnection` to
 * the project when it joins a pipeline (the source action records the
 * connection on the input artifact only then).
 */
export function withCodeConnectionsGrant(action: codepipeline.IAction, grantee: iam.IGrantable): codepipeline.IAction {
  return new CodeConnectionsAwareAction(action, grantee);
}

class CodeConnectionsAwareAction implements codepipeline.IAction {
  constructor(private readonly inner: codepipeline.IAction, private readonly grantee: iam.IGrantable) {}

  public get actionProperties(): codepipeline.ActionProperties {
    return this.inner.actionProperties;
  }

  public bind(scope: Construct, stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    const config = this.inner.bind(scope, stage, options);
    grantUseConnection(this.grantee, this.inner.actionProperties.inputs);
    return config;
  }

  public onStateChange(name: string, target?: events.IRuleTarget, options?: events.RuleProps): events.Rule {
    return this.inner.onStateChange(name, target, options);
  }
}
