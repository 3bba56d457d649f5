import { createFactoryKey } from '@devsecops-factory/construct-kit';
import { FactoryNotifications, PipelineGovernance } from '@devsecops-factory/governance-construct';
import { FindingsProcessor } from '@devsecops-factory/scan-stage-construct';
import { CfnOutput, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { factoryPolicyOf, findingsSlaOf, processorInSourceSuppressions, repositorySuppressionDays } from './application-pipeline';
import { factoryDashboard } from './factory-dashboard';
import { FactoryDefinition } from '../config/load';
import { PrivateNetwork } from '../constructs/private-network';

export interface SharedStackProps extends StackProps {
  readonly definition: FactoryDefinition;
}

/**
 * What every application of a multi-application factory shares: the findings
 * processor and its reports bucket, the private network, the platform team's
 * notifications and the governance (trail, Config rules, Security Hub). It
 * refers to no application stack, so applications come and go without
 * touching it, except for the pipeline names governance watches.
 */
export class SharedStack extends Stack {
  public readonly key: kms.Key;
  public readonly findings: FindingsProcessor;
  public readonly notifications: FactoryNotifications;
  public readonly governance: PipelineGovernance;
  public readonly network?: PrivateNetwork;
  /** Export names of the reports bucket's and its key's ARNs, which the application stacks import. */
  public readonly reportsExports: { bucketArn: string; keyArn: string };

  constructor(scope: Construct, id: string, props: SharedStackProps) {
    super(scope, id, props);
    const { definition } = props;
    this.key = createFactoryKey(this, 'Key', { description: 'DevSecOps factory (shared): scan reports, findings-processor queue and logs' });
    const sources = definition.applications.map((application) => application.config.source.type);
    if (definition.network) {
      this.network = new PrivateNetwork(this, 'Network', {
        config: definition.network,
        sources: { codeConnections: sources.includes('codeconnections'), codeCommit: sources.includes('codecommit') },
        encryptionKey: this.key,
      });
    }
    this.notifications = new FactoryNotifications(this, 'Notifications', {
      pipelineFailureEmails: definition.platformEmails,
      securityAlertEmails: definition.platformEmails,
    });
    this.findings = new FindingsProcessor(this, 'Findings', {
      encryptionKey: this.key,
      alarmTopic: this.notifications.securityAlertTopic,
      // One function applies every application's repository suppressions: the strictest limit holds for all.
      maxSuppressionDays: Math.min(...definition.applications.map((application) => repositorySuppressionDays(factoryPolicyOf(application.config)))),
      // Overdue means what the strictest application's gate says it means.
      findingsSla: findingsSlaOf(definition.applications.map((application) => factoryPolicyOf(application.config))),
      // Suppression comments in one application's code count in Security Hub only if every application's policy lets them.
      inSourceSuppressions: processorInSourceSuppressions(definition.applications.map((application) => factoryPolicyOf(application.config))),
      vpc: this.network?.vpc,
      vpcSubnets: this.network?.subnets,
    });
    this.reportsExports = reportsExports(definition.name);
    // Exported by name, imported by name in the application stacks (see ApplicationStack.reportsBucket).
    new CfnOutput(this, 'ReportsBucketArn', { value: this.findings.reportsBucket.bucketArn, exportName: this.reportsExports.bucketArn });
    new CfnOutput(this, 'ReportsKeyArn', { value: this.key.keyArn, exportName: this.reportsExports.keyArn });
    // Pipelines by their configured names, not by reference: the application stacks depend on this one.
    const names = definition.applications.map((application) => application.config.name);
    const pipelines = fitsOneEventPattern(names)
      ? definition.applications.map((application) => codepipeline.Pipeline.fromPipelineArn(this, `Pipeline-${application.name}`,
        this.formatArn({ service: 'codepipeline', resource: application.config.name })))
      // Too many names for one pattern: the platform team hears of every pipeline of the factory's account.
      : undefined;
    this.governance = new PipelineGovernance(this, 'Governance', {
      pipelines,
      notifications: this.notifications,
      enableSecurityHub: definition.governance.enableSecurityHub,
      enableConfigRecorder: definition.governance.enableConfigRecorder,
      dashboard: factoryDashboard(this.findings),
    });
  }
}

/** The export names of the reports bucket and its key, per factory. */
export function reportsExports(factoryName: string): { bucketArn: string; keyArn: string } {
  return { bucketArn: `${factoryName}-reports-bucket-arn`, keyArn: `${factoryName}-reports-key-arn` };
}

/**
 * Whether the pipeline names fit the governance's failure rules: an event pattern holds at most 2,048
 * characters, of which the names get 1,500 (quoted, comma-separated).
 */
export function fitsOneEventPattern(names: string[]): boolean {
  return names.reduce((length, name) => length + name.length + 3, 0) <= 1500;
}
