import { allowCloudWatchLogsToUseKey, createFactoryKey } from '@devsecops-factory/construct-kit';
import {
  CfnOutput, Duration, RemovalPolicy, Stack, Token,
  aws_eks as eks,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { FalcoPriority } from './falco-priority';

const CHART_REPOSITORY = 'https://falcosecurity.github.io/charts';
const RELEASE = 'falco';
/** The falcosidekick subchart names its service account `<release>-falcosidekick`. */
const SIDEKICK_SERVICE_ACCOUNT = `${RELEASE}-falcosidekick`;
const CHART_VERSION = /^\d+\.\d+\.\d+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Properties of a `FalcoAddon`.
 */
export interface FalcoAddonProps {
  /**
   * The existing cluster to protect. The chart is installed by CloudFormation
   * only when the cluster was imported with a `kubectlProvider`; otherwise
   * the add-on prepares everything on the AWS side and `installCommand`
   * installs the chart.
   */
  readonly cluster: eks.ICluster;

  /**
   * Version of the falcosecurity/falco Helm chart.
   *
   * @default '9.1.0' (Falco 0.44.1)
   */
  readonly chartVersion?: string;

  /**
   * Namespace Falco runs in.
   *
   * @default 'falco'
   */
  readonly namespace?: string;

  /**
   * Lowest priority of the alerts shipped to CloudWatch Logs.
   *
   * @default FalcoPriority.NOTICE
   */
  readonly minimumPriority?: FalcoPriority;

  /**
   * KMS key of the alert log group.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Retention of the alerts.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Runtime threat detection for an existing EKS cluster: Falco (modern eBPF
 * driver, JSON output) with falcosidekick shipping its alerts to a
 * KMS-encrypted CloudWatch Logs log group.
 *
 * falcosidekick gets AWS credentials through EKS Pod Identity (the cluster
 * needs the eks-pod-identity-agent add-on): a role that may write to that one
 * log group, bound to its service account.
 */
export class FalcoAddon extends Construct {
  /** The log group that receives the alerts. */
  public readonly logGroup: logs.ILogGroup;
  /** The role falcosidekick runs with. */
  public readonly sidekickRole: iam.IRole;
  /** The Helm values of the release. */
  public readonly helmValues: { [key: string]: any };
  /** Shell commands that write the values file and install the chart with `helm` 3 or later. */
  public readonly installCommand: string;
  /**
   * The chart release, when the cluster has a kubectl provider.
   *
   * @default - none: run `installCommand`
   */
  public readonly helmChart?: eks.HelmChart;

  constructor(scope: Construct, id: string, props: FalcoAddonProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const namespace = props.namespace ?? 'falco';
    const chartVersion = props.chartVersion ?? '9.1.0';
    if (!CHART_VERSION.test(chartVersion)) {
      throw new Error(`chartVersion must be an exact version like 9.1.0; got '${chartVersion}'`);
    }
    if (!Token.isUnresolved(namespace) && !DNS_LABEL.test(namespace)) {
      throw new Error(`namespace must be a DNS-1123 label; got '${namespace}'`);
    }

    const key = props.encryptionKey ?? createFactoryKey(this, 'Key', { description: 'Encrypts the Falco runtime alerts' });
    allowCloudWatchLogsToUseKey(key, this);
    const logGroup = new logs.LogGroup(this, 'Alerts', {
      encryptionKey: key,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.logGroup = logGroup;

    const role = new iam.Role(this, 'SidekickRole', {
      description: 'falcosidekick: writes Falco alerts to one log group',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: { 'aws:SourceArn': props.cluster.clusterArn },
        },
      }).withSessionTags(),
    });
    new iam.ManagedPolicy(this, 'SidekickPolicy', {
      description: 'Write Falco alerts to their log group',
      roles: [role],
      statements: [new iam.PolicyStatement({
        sid: 'WriteAlerts',
        actions: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      })],
    });
    this.sidekickRole = role;
    new eks.CfnPodIdentityAssociation(this, 'SidekickIdentity', {
      clusterName: props.cluster.clusterName,
      namespace,
      serviceAccount: SIDEKICK_SERVICE_ACCOUNT,
      roleArn: role.roleArn,
    });

    this.helmValues = {
      driver: { kind: 'modern_ebpf' },
      falco: { json_output: true, json_include_output_property: true },
      falcosidekick: {
        enabled: true,
        config: {
          aws: {
            region: stack.region,
            cloudwatchlogs: {
              loggroup: logGroup.logGroupName,
              minimumpriority: props.minimumPriority ?? FalcoPriority.NOTICE,
            },
          },
        },
      },
    };
    this.installCommand = [
      "cat > falco-values.yaml <<'VALUES'",
      YAML.stringify(this.helmValues).trimEnd(),
      'VALUES',
      `helm upgrade --install ${RELEASE} falco --repo ${CHART_REPOSITORY} --version ${chartVersion} \\`,
      `  --namespace ${namespace} --create-namespace --wait --values falco-values.yaml`,
    ].join('\n');

    if (props.cluster.kubectlProvider !== undefined) {
      this.helmChart = new eks.HelmChart(this, 'Chart', {
        cluster: props.cluster,
        chart: 'falco',
        repository: CHART_REPOSITORY,
        version: chartVersion,
        release: RELEASE,
        namespace,
        createNamespace: true,
        wait: true,
        timeout: Duration.minutes(10),
        values: this.helmValues,
      });
    } else {
      new CfnOutput(this, 'InstallCommand', {
        description: 'Installs Falco on the cluster (no kubectl provider was given to install it from CloudFormation)',
        value: this.installCommand,
      });
    }
  }
}
