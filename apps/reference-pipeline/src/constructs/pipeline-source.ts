import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
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

  constructor(scope: Construct, id: string, source: FactoryConfig['source']) {
    super(scope, id);
    if (source.type === 'codeconnections') {
      const [owner, repo] = source.repository.split('/');
      this.repositoryName = source.repository;
      this.action = new actions.CodeStarConnectionsSourceAction({
        actionName: 'Source',
        connectionArn: source.connectionArn
          ?? ssm.StringParameter.valueForStringParameter(this, source.connectionArnParameter!),
        owner,
        repo,
        branch: source.branch,
        output: this.output,
        codeBuildCloneOutput: true,
        triggerOnPush: true,
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
