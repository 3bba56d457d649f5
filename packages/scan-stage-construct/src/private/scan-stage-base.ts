import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { withCodeConnectionsGrant } from './connection-grant';
import { createScanProject, ScanProjectOptions } from './scan-project';
import { IScanStage } from '../scan-stage';
import { ScanStageProps } from '../scan-stage-props';

/**
 * The parts every scan stage has, created once: the stages differ only in the options they pass. Not part of the
 * library's API (`IScanStage` is the contract users program against): jsii erases an internal base class and
 * gives each stage class these members itself.
 *
 * @internal
 */
export abstract class ScanStageBase extends Construct implements IScanStage {
  /** The CodeBuild project running the scan and the gate. */
  public readonly project: codebuild.IProject;
  /** The CodePipeline action to add to a pipeline stage. */
  public readonly action: codepipeline.IAction;
  /** The role the build runs as. */
  public readonly role: iam.IRole;
  /** Report group receiving the gate's JUnit report. */
  public readonly reportGroup: codebuild.IReportGroup;
  /** KMS-encrypted log group of the builds. */
  public readonly logGroup: logs.ILogGroup;
  /** The stage name the policy file knows this stage by; also the `<stage>` of the findings scope and report keys. */
  public readonly policyStage: string;

  protected constructor(scope: Construct, id: string, props: ScanStageProps, options: ScanProjectOptions) {
    super(scope, id);
    const parts = createScanProject(this, props, options);
    this.project = parts.project;
    this.action = withCodeConnectionsGrant(parts.action, parts.project);
    // PipelineProject always creates its role when none is given, and the stages give none.
    this.role = parts.project.role!;
    this.reportGroup = parts.reportGroup;
    this.logGroup = parts.logGroup;
    this.policyStage = parts.policyStage;
  }
}
