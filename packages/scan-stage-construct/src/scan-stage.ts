import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';

/**
 * What every scan stage (secrets, code, image, ECR, DAST) is: one CodeBuild project behind one pipeline action,
 * gated by the policy under `policyStage`, with its own report group and KMS-encrypted log group.
 */
export interface IScanStage extends IConstruct {
  /** The CodeBuild project running the scan and the gate. */
  readonly project: codebuild.IProject;

  /** The CodePipeline action to add to a pipeline stage. */
  readonly action: codepipeline.IAction;

  /** The role the build runs as (e.g. for the factory's governance, which watches the factory's roles). */
  readonly role: iam.IRole;

  /** Report group receiving the gate's JUnit report. */
  readonly reportGroup: codebuild.IReportGroup;

  /** KMS-encrypted log group of the builds. */
  readonly logGroup: logs.ILogGroup;

  /**
   * The stage name the policy file knows this stage by (`asff gate --stage`); also the `<stage>` of the findings
   * scope, of the report keys and of the findings processor's `Stage` metric dimension.
   */
  readonly policyStage: string;
}
