import { FactoryNotifications, PipelineGovernance } from '@devsecops-factory/governance-construct';
import { FindingsProcessor } from '@devsecops-factory/scan-stage-construct';
import { Stack, StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import {
  addApplicationPipeline, factoryPolicyOf, findingsSlaOf, processorInSourceSuppressions, repositorySuppressionDays,
} from './application-pipeline';
import { factoryDashboard } from './factory-dashboard';
import { FactoryConfig } from '../config/schema';
import { ArtifactStore } from '../constructs/artifact-store';
import { PrivateNetwork } from '../constructs/private-network';

export { findingsSlaOf, processorInSourceSuppressions, repositorySuppressionDays } from './application-pipeline';

export interface FactoryStackProps extends StackProps {
  readonly config: FactoryConfig;
  /**
   * The repository part of the report keys the builds write (`raw/<it>/<stage>/`).
   *
   * @default - the source repository
   */
  readonly reportsRepository?: string;
}

/**
 * The DevSecOps factory of one application, in one stack: one CodePipeline V2
 * from source to production EKS, the findings processor feeding Security Hub,
 * and the governance around it.
 */
export class FactoryStack extends Stack {
  public readonly artifacts: ArtifactStore;
  public readonly pipeline: codepipeline.Pipeline;
  public readonly findings: FindingsProcessor;
  public readonly governance: PipelineGovernance;
  public readonly network?: PrivateNetwork;

  constructor(scope: Construct, id: string, props: FactoryStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.artifacts = new ArtifactStore(this, 'ArtifactStore');
    const encryptionKey = this.artifacts.key;
    if (config.network) {
      this.network = new PrivateNetwork(this, 'Network', {
        config: config.network,
        sources: { codeConnections: config.source.type === 'codeconnections', codeCommit: config.source.type === 'codecommit' },
        encryptionKey,
      });
    }
    // The notification topics come first: the findings processor's alarms notify the security topic.
    const notifications = new FactoryNotifications(this, 'Notifications', {
      pipelineFailureEmails: config.notifications.emails,
      securityAlertEmails: config.notifications.emails,
    });
    this.findings = new FindingsProcessor(this, 'Findings', {
      encryptionKey,
      alarmTopic: notifications.securityAlertTopic,
      maxSuppressionDays: repositorySuppressionDays(factoryPolicyOf(config)),
      findingsSla: findingsSlaOf([factoryPolicyOf(config)]),
      inSourceSuppressions: processorInSourceSuppressions([factoryPolicyOf(config)]),
      vpc: this.network?.vpc,
      vpcSubnets: this.network?.subnets,
    });
    const application = addApplicationPipeline(this, {
      config,
      reportsRepository:
        props.reportsRepository ?? (config.source.type === 'codeconnections' ? config.source.repository : config.source.repositoryName),
      artifacts: this.artifacts,
      reportsBucket: this.findings.reportsBucket,
      network: this.network,
    });
    this.pipeline = application.pipeline;

    this.governance = new PipelineGovernance(this, 'Governance', {
      pipelines: [this.pipeline],
      factoryRoles: application.roles,
      notifications,
      enableSecurityHub: config.governance.enableSecurityHub,
      enableConfigRecorder: config.governance.enableConfigRecorder,
      dashboard: factoryDashboard(this.findings),
    });
  }
}
