import * as path from 'path';
import { acknowledgeWildcardResource, allowCloudWatchLogsToUseKey, createFactoryKey } from '@devsecops-factory/construct-kit';
import { Aws, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaEventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { POLICIES_PREFIX, RAW_REPORTS_PREFIX } from './defaults';
import { ReportsBucket } from './reports-bucket';

/** Prefix of the converted ASFF the processor writes next to each raw report. */
export const CONVERTED_FINDINGS_PREFIX = 'converted/';
/** Prefix of the findings Security Hub refused even after retries. */
export const DEAD_LETTER_PREFIX = 'dead-letter/';
/**
 * Prefix of the checkpoints of imports that would have outlived one invocation: the processor writes one,
 * and its notification on the report queue starts the invocation that continues the import.
 */
export const IMPORT_CHECKPOINT_PREFIX = 'checkpoint/';
/** How a checkpoint's key ends (the processor's `CHECKPOINT_SUFFIX`). */
const IMPORT_CHECKPOINT_SUFFIX = '.checkpoint.json';

/**
 * Whether suppressions a tool reports as written in the scanned code itself (`# nosemgrep`, `#checkov:skip=`, a
 * SARIF suppression of kind `inSource`) count: the factory policy's `gate.inSourceSuppressions`.
 */
export enum InSourceSuppressions {
  /** Such findings are judged like any other: the commit under scan does not switch off its own findings. */
  IGNORE = 'ignore',
  /** Such findings count as suppressed. */
  HONOUR = 'honour',
}

/** Properties of a {@link FindingsProcessor}. */
export interface FindingsProcessorProps {
  /**
   * Key for the reports bucket, the dead-letter queue and the logs.
   *
   * @default - a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * Topic notified by the alarms (processor errors, dead letters). Give one: without it a failed
   * import only shows as an alarm state in the CloudWatch console and nobody is told (no EventBridge
   * rule of the factory matches alarm state changes). The governance construct's security-alert
   * topic (`PipelineGovernance.notifications.securityAlertTopic`) accepts CloudWatch alarms.
   *
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;

  /**
   * How long raw reports and converted findings are kept.
   *
   * @default Duration.days(365)
   */
  readonly reportRetention?: Duration;

  /**
   * How many reports are imported at once: the maximum concurrency of the report queue's event source
   * (2 to 1000). Security Hub allows 10 BatchImportFindings requests per second per account and Region,
   * shared by every import; each invocation paces itself to that limit, so a few concurrent imports
   * already saturate it and more would only throttle each other. Reports beyond it wait in the queue:
   * when many applications' stages finish together, nothing is throttled away and nothing is lost.
   *
   * @default 2
   */
  readonly maxConcurrentImports?: number;

  /**
   * Reserve this many concurrent executions for the function (opt-in). The report queue's
   * `maxConcurrentImports` already bounds the imports without taking concurrency from the account;
   * a reservation additionally guarantees the function that many executions.
   *
   * Lambda refuses a reservation that would leave the account fewer than 100 unreserved
   * executions, so it fails the deployment in accounts with a low concurrency quota (new accounts
   * may have 10): check the quota ("Concurrent executions", Service Quotas) before setting it.
   * Failed invocations are retried twice, then dead-lettered, with or without it.
   *
   * @default - no reservation: the function uses the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;

  /**
   * The policy files builds upload are the application repositories' own: their suppressions are applied in
   * Security Hub only when they end within this many days of the import (0: none is applied). Keep it equal
   * to the `repository.maxSuppressionDays` of the stages' factory policy.
   *
   * @default 90
   */
  readonly maxSuppressionDays?: number;

  /**
   * The age per severity (CRITICAL, HIGH, MEDIUM, LOW) past which an open finding counts as overdue in the
   * processor's `OverdueFindings` metric (and the FactoryDashboard's overdue widget). Keep it equal to the
   * `gate.sla` of the stages' factory policy, so that the dashboard and the gates call the same findings overdue.
   * A severity left out has no limit.
   *
   * @default - the processor's default: CRITICAL 7 days, HIGH 30, MEDIUM 90, LOW 180
   */
  readonly findingsSla?: { [severity: string]: Duration };

  /**
   * Whether a finding the tool reports suppressed in the scanned code itself (`# nosemgrep`, `#checkov:skip=`,
   * `#tfsec:ignore`, a SARIF suppression of kind `inSource`) becomes SUPPRESSED in Security Hub. Keep it equal to
   * the `gate.inSourceSuppressions` of the stages' factory policy, so that Security Hub shows ACTIVE what the gates
   * judge; with several factory policies, `HONOUR` only when every one of them honours. The policy files builds
   * upload (the repositories' own) never decide it.
   *
   * @default InSourceSuppressions.IGNORE
   */
  readonly inSourceSuppressions?: InSourceSuppressions;

  /**
   * Run the function in this VPC (it needs endpoints or NAT for S3, Security Hub, X-Ray and Logs).
   *
   * @default - no VPC: the function only calls AWS APIs over TLS
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of `vpc` for the function.
   *
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Retention of the function's logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Also write every imported report to Amazon Security Lake, as OCSF 1.1.0 Parquet objects of two custom sources
   * (asff-parsers `docs/ocsf.md`). Security Hub stays the primary path: a write Security Lake refuses never fails
   * the import; the object is kept under `dead-letter/` and counted (`SecurityLakeWriteFailures`, the
   * `securityLakeAlarm`). With `vpc`, the function also needs an STS endpoint.
   *
   * @default - Security Hub only
   */
  readonly securityLake?: FindingsProcessorSecurityLakeProps;
}

/**
 * The two Security Lake custom sources the findings processor writes to. Security Lake takes one OCSF class per
 * custom source: register one for `VULNERABILITY_FINDING` and one for `DETECTION_FINDING`
 * (`aws securitylake create-custom-log-source`, in the Security Lake account and Region), both with this factory's
 * account as `providerIdentity.principal` and the same `externalId`.
 */
export interface FindingsProcessorSecurityLakeProps {
  /** The custom source registered with the event class `VULNERABILITY_FINDING` (OCSF 2002: findings naming a CVE or CWE). */
  readonly vulnerabilityFindings: SecurityLakeCustomSource;

  /** The custom source registered with the event class `DETECTION_FINDING` (OCSF 2004: every other finding). */
  readonly detectionFindings: SecurityLakeCustomSource;

  /**
   * The external id both sources were registered with (`providerIdentity.externalId`): Security Lake's provider
   * roles require it in sts:AssumeRole. It guards against a confused deputy, it is not a secret.
   */
  readonly externalId: string;
}

/** A Security Lake custom source, as `aws securitylake create-custom-log-source` (or `list-log-sources`) returns it. */
export interface SecurityLakeCustomSource {
  /** The source's `provider.location`: `s3://aws-security-data-lake-<region>-<id>/ext/<source name>/...`. */
  readonly location: string;

  /**
   * The source's `provider.roleArn` (`AmazonSecurityLake-Provider-<source name>-<region>`): Security Lake lets only
   * this role write below the source's prefix; the function assumes it.
   */
  readonly providerRoleArn: string;
}

/**
 * Imports scan reports into Security Hub: the reports bucket, the pre-bundled
 * findings-processor Lambda (from `@devsecops-factory/asff-parsers`, shipped
 * inside this package, so no esbuild or Docker at synth) fed by S3
 * object-created events under `raw/` through a KMS-encrypted queue with bounded
 * concurrency (`maxConcurrentImports`), a dead-letter queue for reports that
 * failed after the queue's retries, alarms, and a least-privilege role. An
 * import that would outlive the function's 15 minutes writes a checkpoint under
 * `checkpoint/`, whose notification reaches the same queue and starts the
 * invocation that continues it. Environment
 * variables and S3 metadata keys follow the processor's contract
 * (`@devsecops-factory/asff-parsers`, `src/lambda/settings.ts` and
 * `report-metadata.ts`).
 */
export class FindingsProcessor extends Construct {
  /** Where scan stages upload raw reports (under `raw/`). */
  public readonly reportsBucket: s3.IBucket;
  /** Key of the bucket, the queue and the logs. */
  public readonly encryptionKey: kms.IKey;
  /** The findings-processor function. */
  public readonly function: lambda.IFunction;
  /**
   * The queue of S3 notifications of new raw reports, which the function consumes with bounded concurrency.
   * A message whose import fails is redelivered after the visibility timeout, three times in all, then moved
   * to `deadLetterQueue`.
   */
  public readonly reportQueue: sqs.IQueue;
  /** Report messages that failed after the queue's retries (and failed direct invocations after Lambda's). */
  public readonly deadLetterQueue: sqs.IQueue;
  /** Alarm on reports waiting in the queue for more than an hour (imports stalled or far behind). */
  public readonly queueAgeAlarm: cloudwatch.Alarm;
  /** Alarm on function errors. */
  public readonly errorsAlarm: cloudwatch.Alarm;
  /** Alarm on messages in the dead-letter queue. */
  public readonly deadLettersAlarm: cloudwatch.Alarm;
  /** With `securityLake`: alarm on objects Security Lake refused (kept under `dead-letter/`, not in the lake). */
  public readonly securityLakeAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FindingsProcessorProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const { reserved, maxConcurrentImports } = concurrencyOf(props);
    this.encryptionKey = props.encryptionKey
      ?? createFactoryKey(this, 'Key', { description: 'DevSecOps factory: scan reports, findings-processor queue and logs' });
    allowCloudWatchLogsToUseKey(this.encryptionKey);

    const reports = new ReportsBucket(this, 'Reports', {
      encryptionKey: this.encryptionKey,
      reportRetention: props.reportRetention,
    });
    const bucket = reports.bucket;
    this.reportsBucket = bucket;

    const functionTimeout = Duration.minutes(15);
    const { deadLetterQueue, reportQueue } = this.createQueues(functionTimeout);
    this.deadLetterQueue = deadLetterQueue;
    this.reportQueue = reportQueue;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'findings processor: read raw reports, write converted findings, import into Security Hub',
    });
    const policy = this.leastPrivilegePolicy(stack, bucket, deadLetterQueue, reportQueue, logGroup, props);
    role.addManagedPolicy(policy);

    const fn = new lambda.Function(this, 'Function', {
      description: 'Converts scan reports uploaded under raw/ and imports them into Security Hub',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'findings-processor')),
      handler: 'index.handler',
      // The bundle targets Node.js 22; the newest runtime keeps it supported longest.
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      // A large report at Security Hub's rate limit takes minutes.
      timeout: functionTimeout,
      // The role's permissions all come from the managed policy above: aws-cdk-lib's own
      // additions (inline, broader) are not wanted.
      role: role.withoutPolicyUpdates(),
      reservedConcurrentExecutions: reserved,
      deadLetterQueue,
      retryAttempts: 2,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
      environment: processorEnvironment(this.encryptionKey, props),
    });
    // The function depends on its policy being attached before the first invocation.
    fn.node.addDependency(policy);
    acknowledgeFunctionChoices(fn, props);
    this.function = fn;

    this.connectReportQueue(stack, bucket, reportQueue, fn, maxConcurrentImports);

    const alarms = this.createAlarms(fn, deadLetterQueue, reportQueue, props);
    this.errorsAlarm = alarms.errors;
    this.deadLettersAlarm = alarms.deadLetters;
    this.queueAgeAlarm = alarms.queueAge;
    this.securityLakeAlarm = alarms.securityLake;
  }

  /**
   * The report queue, KMS-encrypted and TLS-only, and the dead-letter queue of the messages (and of the direct
   * invocations) that failed after their retries.
   */
  private createQueues(functionTimeout: Duration): { deadLetterQueue: sqs.Queue; reportQueue: sqs.Queue } {
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reportQueue = new sqs.Queue(this, 'ReportQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Lambda's guidance for SQS event sources: six times the function timeout, so a message is not
      // redelivered while an invocation that was throttled and retried may still be importing it.
      visibilityTimeout: Duration.minutes(functionTimeout.toMinutes() * 6),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 3 },
    });
    return { deadLetterQueue, reportQueue };
  }

  /**
   * S3 -> SQS -> Lambda: the queue holds reports while the imports are at their bound, and redelivers a
   * failed one. An import that would outlive its invocation writes a checkpoint; its notification through
   * the same queue is the next invocation, so continuing an import takes no SQS permission of the function.
   */
  private connectReportQueue(stack: Stack, bucket: s3.Bucket, reportQueue: sqs.Queue, fn: lambda.Function, maxConcurrentImports: number): void {
    const destination = this.reportQueueDestination(stack, reportQueue, bucket);
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, destination, { prefix: RAW_REPORTS_PREFIX });
    bucket.addEventNotification(s3.EventType.OBJECT_CREATED, destination, { prefix: IMPORT_CHECKPOINT_PREFIX, suffix: IMPORT_CHECKPOINT_SUFFIX });
    fn.addEventSource(new lambdaEventSources.SqsEventSource(reportQueue, {
      // One report per invocation: each import runs for minutes, and a failure retries only its own report.
      batchSize: 1,
      maxConcurrency: maxConcurrentImports,
      reportBatchItemFailures: true,
    }));
    this.acknowledgeBucketNotificationsHandler(bucket);
  }

  private createAlarms(fn: lambda.Function, deadLetterQueue: sqs.Queue, reportQueue: sqs.Queue, props: FindingsProcessorProps) {
    const alarm = (id: string, alarmDescription: string, metric: cloudwatch.IMetric, threshold = 1) => new cloudwatch.Alarm(this, id, {
      alarmDescription,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const fiveMinutes = Duration.minutes(5);
    const alarms = {
      errors: alarm('ErrorsAlarm', 'The findings processor failed: reports may be missing from Security Hub (retried, then dead-lettered).',
        fn.metricErrors({ period: fiveMinutes, statistic: cloudwatch.Stats.SUM })),
      deadLetters: alarm('DeadLettersAlarm', 'Reports whose import failed after all retries are waiting in the dead-letter queue.',
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM })),
      queueAge: alarm('QueueAgeAlarm',
        'Reports have waited over an hour for import: imports are stalled or far behind (Security Hub throttling, failing invocations).',
        reportQueue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: cloudwatch.Stats.MAXIMUM }),
        Duration.hours(1).toSeconds()),
      securityLake: props.securityLake
        ? alarm('SecurityLakeAlarm',
          'Security Lake refused objects of the findings processor: they are kept under dead-letter/<report>.security-lake/ '
            + '(metadata security-lake-location), not in the lake.',
          new cloudwatch.Metric({
            namespace: PROCESSOR_METRICS_NAMESPACE,
            metricName: 'SecurityLakeWriteFailures',
            dimensionsMap: { service: PROCESSOR_SERVICE_NAME },
            period: fiveMinutes,
            statistic: cloudwatch.Stats.SUM,
          }))
        : undefined,
    };
    const all = [alarms.errors, alarms.deadLetters, alarms.queueAge, ...(alarms.securityLake ? [alarms.securityLake] : [])];
    if (props.alarmTopic) {
      const action = new cloudwatchActions.SnsAction(props.alarmTopic);
      for (const a of all) a.addAlarmAction(action);
    } else {
      for (const a of all) {
        Validations.of(a).acknowledge({
          id: 'NIST.800.53.R5-CloudWatchAlarmAction',
          reason: 'No alarmTopic was given: the alarm has no action and notifies nobody, its state shows in CloudWatch only. '
            + 'Pass alarmTopic (the reference app passes the governance security-alert topic) to be notified.',
        });
      }
    }
    return alarms;
  }

  private leastPrivilegePolicy(
    stack: Stack, bucket: s3.IBucket, queue: sqs.IQueue, reportQueue: sqs.IQueue, logGroup: logs.ILogGroup, props: FindingsProcessorProps,
  ): iam.ManagedPolicy {
    const inVpc = props.vpc !== undefined;
    const rawReports = bucket.arnForObjects(`${RAW_REPORTS_PREFIX}*`);
    const policies = bucket.arnForObjects(`${POLICIES_PREFIX}*`);
    const converted = bucket.arnForObjects(`${CONVERTED_FINDINGS_PREFIX}*`);
    const deadLetters = bucket.arnForObjects(`${DEAD_LETTER_PREFIX}*`);
    const checkpoints = bucket.arnForObjects(`${IMPORT_CHECKPOINT_PREFIX}*`);
    const statements = [
      new iam.PolicyStatement({
        sid: 'ImportIntoOwnProductOnly',
        actions: ['securityhub:BatchImportFindings'],
        resources: [stack.formatArn({
          service: 'securityhub',
          resource: 'product',
          resourceName: `${Aws.ACCOUNT_ID}/default`,
        })],
      }),
      new iam.PolicyStatement({
        sid: 'ArchiveAndSuppressFindings',
        actions: ['securityhub:GetFindings', 'securityhub:BatchUpdateFindings'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({ sid: 'ReadRawReportsAndPolicies', actions: ['s3:GetObject'], resources: [rawReports, policies] }),
      new iam.PolicyStatement({ sid: 'WriteConvertedAndDeadLetters', actions: ['s3:PutObject'], resources: [converted, deadLetters] }),
      // Only the function writes checkpoints: one names how many findings of a report to skip.
      new iam.PolicyStatement({ sid: 'ContinueLongImports', actions: ['s3:GetObject', 's3:PutObject'], resources: [checkpoints] }),
      new iam.PolicyStatement({
        sid: 'UseTheFactoryKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({ sid: 'DeadLetterFailedInvocations', actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
      // The event source polls with the function's role (its own grants would be dropped: withoutPolicyUpdates).
      new iam.PolicyStatement({
        sid: 'ConsumeReportQueue',
        actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'],
        resources: [reportQueue.queueArn],
      }),
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({ sid: 'Tracing', actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    ];
    if (props.securityLake) {
      // Security Lake lets only each source's provider role write below the source's prefix (its bucket policy and
      // the role's own policy, which Security Lake manages): the function needs no S3 or KMS permission on the lake.
      const lake = props.securityLake;
      statements.push(new iam.PolicyStatement({
        sid: 'WriteToSecurityLakeAsProviderRoles',
        actions: ['sts:AssumeRole'],
        resources: [...new Set([lake.vulnerabilityFindings.providerRoleArn, lake.detectionFindings.providerRoleArn])],
      }));
    }
    if (inVpc) {
      statements.push(new iam.PolicyStatement({
        sid: 'VpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }));
    }
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Least privilege of the findings processor',
      statements,
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'securityhub:GetFindings and securityhub:BatchUpdateFindings, X-Ray PutTraceSegments/PutTelemetryRecords'
        + (inVpc ? ' and the EC2 network-interface actions Lambda needs in a VPC' : '')
        + ' support no resource-level permissions (service authorization reference); every other action names its resource.',
    });
    acknowledgeWildcardResource(policy, rawReports, 'Each report has its own key under raw/; read access is limited to that prefix.');
    acknowledgeWildcardResource(
      policy,
      policies,
      'Each build uploads the policy file it gated with under its own key in policies/; read access is limited to that prefix.',
    );
    acknowledgeWildcardResource(
      policy,
      converted,
      'Converted findings get one key per report under converted/; write access is limited to that prefix.',
    );
    acknowledgeWildcardResource(
      policy,
      deadLetters,
      'Refused findings get one key per import under dead-letter/; write access is limited to that prefix.',
    );
    acknowledgeWildcardResource(
      policy,
      checkpoints,
      'An import that outlives one invocation keeps one checkpoint per report under checkpoint/; access is limited to that prefix.',
    );
    return policy;
  }

  /**
   * The report queue as the bucket's notification destination. Not aws-cdk-lib's SqsDestination: its grant
   * puts the bucket's ARN into the key policy, and the bucket is encrypted with that key (a dependency
   * cycle), with `kms:ReEncrypt*` besides. Here the queue policy admits S3 for this bucket and account only,
   * and the key lets S3 create and read the data keys of the messages it sends (what SSE-KMS queues require
   * of a producer); S3 can reach no other queue or key of the account through it.
   */
  private reportQueueDestination(stack: Stack, reportQueue: sqs.Queue, bucket: s3.IBucket): s3.IBucketNotificationDestination {
    const key = this.encryptionKey;
    let bound = false;
    return {
      bind: () => {
        // Bound once per notification (reports and checkpoints): the policies are added the first time.
        if (bound) return { arn: reportQueue.queueArn, type: s3.BucketNotificationDestinationType.QUEUE, dependencies: [reportQueue] };
        bound = true;
        reportQueue.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'S3DeliversReportNotifications',
          principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
          actions: ['sqs:SendMessage'],
          resources: [reportQueue.queueArn],
          conditions: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': stack.account } },
        }));
        key.addToResourcePolicy(new iam.PolicyStatement({
          sid: 'S3EncryptsReportNotifications',
          principals: [new iam.ServicePrincipal('s3.amazonaws.com')],
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: ['*'],
        }));
        // The notification is created after the queue policy: S3 checks it can deliver when it is configured.
        return { arn: reportQueue.queueArn, type: s3.BucketNotificationDestinationType.QUEUE, dependencies: [reportQueue] };
      },
    };
  }

  /**
   * aws-cdk-lib delivers S3 notifications through its singleton
   * BucketNotificationsHandler (an internal Lambda with its own role).
   */
  private acknowledgeBucketNotificationsHandler(bucket: s3.Bucket): void {
    const notifications = bucket.node.tryFindChild('Notifications');
    if (notifications) {
      Validations.of(notifications).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'aws-cdk-lib attaches s3:PutBucketNotification for this one bucket to its notification handler\'s role as an inline policy.',
      });
    }
    const handler = Stack.of(this).node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (!handler) return;
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'aws-cdk-lib\'s notification-configuration handler uses the basic execution role; it only writes its own logs.',
    });
  }
}

const SLA_SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** `CRITICAL=168h,HIGH=720h`: the FINDINGS_SLA syntax of the processor (durations in whole hours). */
function findingsSla(limits: { [severity: string]: Duration }): string {
  const entries = Object.entries(limits);
  if (entries.length === 0) return 'none';
  return entries.map(([severity, limit]) => {
    if (!SLA_SEVERITIES.includes(severity)) throw new Error(`findingsSla: unknown severity '${severity}' (one of ${SLA_SEVERITIES.join(', ')})`);
    const hours = limit.toHours({ integral: false });
    if (!Number.isInteger(hours) || hours < 1) {
      throw new Error(`findingsSla: ${severity} must be a positive whole number of hours, got ${limit.toHumanString()}`);
    }
    return `${severity}=${hours}h`;
  }).join(',');
}

function maxSuppressionDays(days: number): number {
  if (!Number.isInteger(days) || days < 0 || days > 3650) throw new Error(`maxSuppressionDays must be a whole number from 0 to 3650; got ${days}`);
  return days;
}

/** The findings processor's EMF namespace and service (its POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME). */
const PROCESSOR_METRICS_NAMESPACE = 'DevSecOpsFactory';
const PROCESSOR_SERVICE_NAME = 'findings-processor';

function concurrencyOf(props: FindingsProcessorProps): { reserved?: number; maxConcurrentImports: number } {
  const reserved = props.reservedConcurrentExecutions;
  if (reserved !== undefined && !Token.isUnresolved(reserved) && (!Number.isInteger(reserved) || reserved < 1)) {
    // 0 would throttle every invocation: all reports would go to the dead-letter queue.
    throw new Error(`reservedConcurrentExecutions must be a positive integer, got ${reserved}`);
  }
  const maxConcurrentImports = props.maxConcurrentImports ?? 2;
  const validImports = Number.isInteger(maxConcurrentImports) && maxConcurrentImports >= 2 && maxConcurrentImports <= 1000;
  if (!Token.isUnresolved(maxConcurrentImports) && !validImports) {
    // The limits of an SQS event source's maximum concurrency.
    throw new Error(`maxConcurrentImports must be a whole number from 2 to 1000, got ${maxConcurrentImports}`);
  }
  return { reserved, maxConcurrentImports };
}

/** The processor's settings (asff-parsers `src/lambda/settings.ts`). */
function processorEnvironment(key: kms.IKey, props: FindingsProcessorProps): { [name: string]: string } {
  return {
    RAW_PREFIX: RAW_REPORTS_PREFIX,
    CONVERTED_PREFIX: CONVERTED_FINDINGS_PREFIX,
    DEAD_LETTER_PREFIX,
    CHECKPOINT_PREFIX: IMPORT_CHECKPOINT_PREFIX,
    // Converted findings and dead letters are written with the factory key explicitly.
    SSE_KMS_KEY_ID: key.keyArn,
    ARCHIVE_MISSING: 'true',
    MAX_SUPPRESSION_DAYS: String(maxSuppressionDays(props.maxSuppressionDays ?? 90)),
    ...(props.findingsSla ? { FINDINGS_SLA: findingsSla(props.findingsSla) } : {}),
    // Always set, so that the template says which the deployed processor applies.
    IN_SOURCE_SUPPRESSIONS: props.inSourceSuppressions ?? InSourceSuppressions.IGNORE,
    ...(props.securityLake ? securityLakeEnvironment(props.securityLake) : {}),
    POWERTOOLS_SERVICE_NAME: PROCESSOR_SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: PROCESSOR_METRICS_NAMESPACE,
  };
}

/** The two opt-outs of cdk-nag's NIST pack the function takes by default, each with its reason. */
function acknowledgeFunctionChoices(fn: lambda.Function, props: FindingsProcessorProps): void {
  if (props.reservedConcurrentExecutions === undefined) {
    Validations.of(fn).acknowledge({
      id: 'NIST.800.53.R5-LambdaConcurrency',
      reason: 'Reserved concurrency is opt-in (reservedConcurrentExecutions): Lambda refuses a reservation that leaves the account '
        + 'under 100 unreserved executions, which fails the first deploy in accounts with a low quota. '
        + 'Throttled Security Hub imports are retried with backoff, failed invocations retried twice then dead-lettered.',
    });
  }
  if (!props.vpc) {
    Validations.of(fn).acknowledge({
      id: 'NIST.800.53.R5-LambdaInsideVPC',
      reason: 'The function only calls AWS APIs (S3, Security Hub, X-Ray, CloudWatch) over TLS and reaches no private resource; '
        + 'pass `vpc` to run it in one.',
    });
  }
}

const LAKE_LOCATION = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/\S+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
/** sts:AssumeRole's ExternalId. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** The SECURITY_LAKE_* variables of the processor (all five, or none). */
function securityLakeEnvironment(lake: FindingsProcessorSecurityLakeProps): { [name: string]: string } {
  const check = (value: string, pattern: RegExp, what: string) => {
    if (!Token.isUnresolved(value) && !pattern.test(value)) throw new Error(`securityLake: ${what}, got '${value}'`);
    return value;
  };
  const source = (name: string, s: SecurityLakeCustomSource) => ({
    location: check(s.location, LAKE_LOCATION, `${name}.location must be the source's provider.location, s3://<bucket>/ext/<source>/...`),
    role: check(s.providerRoleArn, ROLE_ARN, `${name}.providerRoleArn must be the ARN of the source's provider role`),
  });
  const vulnerabilities = source('vulnerabilityFindings', lake.vulnerabilityFindings);
  const detections = source('detectionFindings', lake.detectionFindings);
  return {
    SECURITY_LAKE_VULNERABILITY_LOCATION: vulnerabilities.location,
    SECURITY_LAKE_VULNERABILITY_ROLE_ARN: vulnerabilities.role,
    SECURITY_LAKE_DETECTION_LOCATION: detections.location,
    SECURITY_LAKE_DETECTION_ROLE_ARN: detections.role,
    SECURITY_LAKE_EXTERNAL_ID: check(lake.externalId, EXTERNAL_ID, 'externalId must be 2 to 1224 of the characters sts:AssumeRole accepts'),
  };
}
