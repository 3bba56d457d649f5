import * as fs from 'fs';
import * as path from 'path';
import { acknowledgeCodeBuildProjectGrants, acknowledgeWildcardResource, allowCloudWatchLogsToUseKey } from '@devsecops-factory/construct-kit';
import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { acknowledgeToolboxImage, installScripts } from './private/offline-build';
import { protectProjectRoleTrust } from './private/trust-policy';
import { ToolboxImage } from './toolbox-image';

/** The vulnerability databases the mirror keeps. */
export enum MirroredDatabase {
  /** Grype's vulnerability database (Anchore's listing). */
  GRYPE = 'grype',
  /** Trivy's vulnerability database (trivy-db). */
  TRIVY = 'trivy',
  /** Trivy's Java index (trivy-java-db), for JAR files. */
  TRIVY_JAVA = 'trivy-java',
  /** ClamAV's signatures (main, daily, bytecode). */
  CLAMAV = 'clamav',
}

/** How old each database may be (from the time its publisher built it) before a scan refuses it. */
export interface DatabaseMaxAges {
  /** @default Duration.hours(48) */
  readonly grype?: Duration;
  /** @default Duration.hours(48) */
  readonly trivy?: Duration;
  /** @default Duration.days(7) - Trivy's Java index is rebuilt weekly or so, and only names JAR files */
  readonly trivyJava?: Duration;
  /** @default Duration.hours(48) */
  readonly clamav?: Duration;
}

/** Properties of a {@link DatabaseMirror}. */
export interface DatabaseMirrorProps {
  /** The factory's bucket (e.g. `FindingsProcessor.reportsBucket`): the mirror lives under `prefix` in it. */
  readonly bucket: s3.IBucket;

  /** Key encrypting the job's logs and build artifacts. */
  readonly encryptionKey: kms.IKey;

  /**
   * Prefix of the mirror in the bucket: `<prefix><database>/manifest.json` and the archives beside it. Outside
   * `raw/`, so the findings processor never reads it.
   *
   * @default 'mirror/'
   */
  readonly prefix?: string;

  /**
   * The databases to keep.
   *
   * @default - all of them
   */
  readonly databases?: MirroredDatabase[];

  /**
   * How often the job runs (whole hours). Trivy's database is rebuilt every 6 hours, Grype's and ClamAV's daily.
   *
   * @default Duration.hours(6)
   */
  readonly refreshInterval?: Duration;

  /**
   * The age limits the scan stages apply and the alarms watch.
   *
   * @default - see DatabaseMaxAges
   */
  readonly maxAge?: DatabaseMaxAges;

  /**
   * Where freshclam downloads ClamAV's signatures from (freshclam verifies ClamAV's signature of each file
   * whatever the mirror).
   *
   * @default 'database.clamav.net'
   */
  readonly clamavDatabaseMirror?: string;

  /**
   * Run the job in the scanner toolbox image (it then installs nothing).
   *
   * @default - CodeBuild's standard image; the job installs Grype and Trivy (pinned, verified) and ClamAV
   */
  readonly toolbox?: ToolboxImage;

  /**
   * The job's VPC. It is the one build of the factory that must reach the databases' publishers (GitHub's
   * container registry, Anchore, ClamAV's CDN): give it subnets with egress (NAT, a proxy or a firewall with
   * an allow list), unlike the scan stages.
   *
   * @default - no VPC: CodeBuild's network
   */
  readonly vpc?: ec2.IVpc;

  /** @default - the private subnets of `vpc` */
  readonly subnetSelection?: ec2.SubnetSelection;

  /** @default - a new security group allowing all outbound traffic */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * CloudWatch namespace of the `DatabaseAgeHours` metric (dimension `Database`), written by the job and by
   * every stage that reads the mirror.
   *
   * @default 'DevSecOpsFactory/DatabaseMirror'
   */
  readonly metricNamespace?: string;

  /** @default logs.RetentionDays.ONE_YEAR */
  readonly logRetention?: logs.RetentionDays;

  /**
   * Topic notified when a database of the mirror goes stale.
   *
   * @default - no notification: the alarms' state shows in CloudWatch only
   */
  readonly alarmTopic?: sns.ITopic;
}

const DEFAULT_MAX_AGE_HOURS: Record<MirroredDatabase, number> = {
  [MirroredDatabase.GRYPE]: 48,
  [MirroredDatabase.TRIVY]: 48,
  [MirroredDatabase.TRIVY_JAVA]: 7 * 24,
  [MirroredDatabase.CLAMAV]: 48,
};

const ALL_DATABASES = [MirroredDatabase.GRYPE, MirroredDatabase.TRIVY, MirroredDatabase.TRIVY_JAVA, MirroredDatabase.CLAMAV];

/** The buildspecs embedded in this package (scripts/embed-buildspecs.js). */
const EMBEDDED = path.join(__dirname, '..', 'assets', 'buildspecs');

/**
 * A scheduled job (EventBridge rule + CodeBuild project) that mirrors the scanners' vulnerability databases
 * (Grype, Trivy and its Java index, ClamAV) into the factory's bucket, each checked the way its publisher allows
 * (listing sha256, OCI digests, ClamAV's signatures) and kept with a manifest (archive, sha256, build time).
 * Scan stages given `databaseMirror` read it with their own updates from the internet off, check each
 * archive's sha256 and refuse a database older than its limit. The job and the stages send each database's age
 * to CloudWatch; one alarm per database fires when it passes its limit or when nobody reports it.
 */
export class DatabaseMirror extends Construct {
  /** The CodeBuild project of the job. */
  public readonly project: codebuild.Project;
  /** The schedule. */
  public readonly rule: events.Rule;
  /** The bucket holding the mirror. */
  public readonly bucket: s3.IBucket;
  /** The mirror's prefix in the bucket. */
  public readonly prefix: string;
  /** The databases kept. */
  public readonly databases: MirroredDatabase[];
  /** Namespace of the `DatabaseAgeHours` metric. */
  public readonly metricNamespace: string;
  /** One alarm per database: older than its limit, or not reported for two refresh intervals. */
  public readonly alarms: cloudwatch.Alarm[];
  /** KMS-encrypted log group of the job. */
  public readonly logGroup: logs.LogGroup;

  private readonly maxAgeHours: Record<MirroredDatabase, number>;

  constructor(scope: Construct, id: string, props: DatabaseMirrorProps) {
    super(scope, id);
    this.bucket = props.bucket;
    this.prefix = mirrorPrefix(props.prefix ?? 'mirror/');
    this.databases = [...new Set(props.databases ?? ALL_DATABASES)];
    if (this.databases.length === 0) throw new Error('DatabaseMirror: databases must name at least one database');
    this.metricNamespace = props.metricNamespace ?? 'DevSecOpsFactory/DatabaseMirror';
    this.maxAgeHours = maxAgeHours(props.maxAge ?? {});
    const interval = props.refreshInterval ?? Duration.hours(6);
    const intervalMinutes = interval.toMinutes();
    const intervalHours = intervalMinutes / 60;
    if (!Number.isInteger(intervalHours) || intervalHours < 1 || intervalHours > 24) {
      throw new Error(`DatabaseMirror: refreshInterval must be whole hours between 1 and 24, got ${interval.toHumanString()}`);
    }
    const clamavMirror = props.clamavDatabaseMirror ?? 'database.clamav.net';
    if (!Token.isUnresolved(clamavMirror) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(clamavMirror)) {
      throw new Error(`DatabaseMirror: clamavDatabaseMirror must be a host name (freshclam DatabaseMirror), got '${clamavMirror}'`);
    }
    if (props.vpc === undefined && (props.subnetSelection !== undefined || props.securityGroups !== undefined)) {
      throw new Error('DatabaseMirror: subnetSelection and securityGroups place the job in a VPC: give vpc too');
    }

    allowCloudWatchLogsToUseKey(props.encryptionKey);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const toolbox = props.toolbox?.bind();
    const spec = YAML.parse(fs.readFileSync(path.join(EMBEDDED, 'mirror-databases.yml'), 'utf8'));
    spec.phases.install.commands = [...installScripts({ toolbox: toolbox !== undefined, databaseMirror: false }), ...spec.phases.install.commands];
    this.project = new codebuild.Project(this, 'Project', {
      description: 'Mirrors the scanners\' vulnerability databases into the factory\'s bucket',
      buildSpec: codebuild.BuildSpec.fromObjectToYaml(spec),
      encryptionKey: props.encryptionKey,
      timeout: Duration.minutes(60),
      queuedTimeout: Duration.hours(1),
      environment: {
        buildImage: toolbox?.buildImage ?? codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: codebuild.ComputeType.MEDIUM,
      },
      environmentVariables: {
        DB_MIRROR_URI: { value: `s3://${this.bucket.bucketName}/${this.prefix}` },
        DB_MIRROR_DATABASES: { value: this.databases.join(' ') },
        DB_MIRROR_METRIC_NAMESPACE: { value: this.metricNamespace },
        CLAMAV_DATABASE_MIRROR: { value: clamavMirror },
        ...(toolbox === undefined ? {} : { TOOLBOX: { value: 'true' }, TOOLBOX_IMAGE: { value: toolbox.imageUri } }),
        ...scannerPins(),
      },
      logging: { cloudWatch: { logGroup: this.logGroup } },
      ...(props.vpc === undefined ? {} : { vpc: props.vpc, subnetSelection: props.subnetSelection, securityGroups: props.securityGroups }),
    });
    this.grantMirrorWrite();
    this.grantPutAge(this.project);
    acknowledgeCodeBuildProjectGrants(this.project);
    if (toolbox !== undefined) acknowledgeToolboxImage(this.project);
    protectProjectRoleTrust(this.project);

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Refreshes the scanners\' vulnerability database mirror',
      schedule: events.Schedule.rate(interval),
      targets: [new targets.CodeBuildProject(this.project)],
    });
    const eventsRole = this.project.node.tryFindChild('EventsRole');
    if (eventsRole !== undefined) {
      Validations.of(eventsRole).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'aws-cdk-lib\'s role for the schedule to start this one project (codebuild:StartBuild on it only); '
          + 'the policy lives and dies with that role.',
      });
    }

    // Missing data breaches: a job that stopped running (or a database it can no longer fetch) reports no age.
    const period = Duration.hours(Math.min(2 * intervalHours, 24));
    this.alarms = this.databases.map((database) => new cloudwatch.Alarm(this, `Stale-${database}`, {
      alarmDescription: `The ${database} vulnerability database of the mirror is older than ${this.maxAgeHours[database]} h, `
        + 'or its age was not reported: scans that read the mirror fail',
      metric: this.metricAge(database, period),
      threshold: this.maxAgeHours[database],
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    }));
    for (const alarm of this.alarms) {
      if (props.alarmTopic) {
        alarm.addAlarmAction(new cloudwatchActions.SnsAction(props.alarmTopic));
      } else {
        Validations.of(alarm).acknowledge({
          id: 'NIST.800.53.R5-CloudWatchAlarmAction',
          reason: 'No alarmTopic was given: the alarm has no action and notifies nobody, '
            + 'its state shows in CloudWatch only (the stages still fail on a stale database). Pass alarmTopic to be notified.',
        });
      }
    }
  }

  /** The age (hours since its publisher built it) of one database, as the job and the stages report it. */
  public metricAge(database: MirroredDatabase, period: Duration = Duration.hours(1)): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricNamespace,
      metricName: 'DatabaseAgeHours',
      dimensionsMap: { Database: database },
      statistic: cloudwatch.Stats.MAXIMUM,
      period,
    });
  }

  /** The age limit of one database, in hours. */
  public maxAgeHoursOf(database: MirroredDatabase): number {
    return this.maxAgeHours[database];
  }

  /** The `DB_MIRROR_*` variables of a scan stage that reads these databases (mirror-db.sh). */
  public stageEnvironment(databases: MirroredDatabase[]): Record<string, codebuild.BuildEnvironmentVariable> {
    const missing = databases.filter((database) => !this.databases.includes(database));
    if (missing.length > 0) {
      throw new Error(`DatabaseMirror ${this.node.path} does not keep ${missing.join(', ')}: add it to its databases`);
    }
    return {
      DB_MIRROR_URI: { value: `s3://${this.bucket.bucketName}/${this.prefix}` },
      DB_MIRROR_DATABASES: { value: databases.map((database) => `${database}:${this.maxAgeHours[database]}`).join(' ') },
      DB_MIRROR_METRIC_NAMESPACE: { value: this.metricNamespace },
    };
  }

  /**
   * Lets a scan stage's project read these databases' objects (nothing else of the mirror, nothing else of the
   * bucket) and send their age.
   */
  public grantStageRead(project: codebuild.IProject, databases: MirroredDatabase[]): void {
    if (databases.length === 0) return;
    const objects = databases.map((database) => this.bucket.arnForObjects(`${this.prefix}${database}/*`));
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects }));
    this.grantBucketKey(project, ['kms:Decrypt']);
    if (project.role) {
      for (const [index, objectArn] of objects.entries()) {
        acknowledgeWildcardResource(project.role, objectArn,
          `The mirror's ${databases[index]} manifest and archives (one key per build of the database); `
            + 'GetObject only, under that database\'s mirror prefix.');
      }
    }
    this.grantPutAge(project);
  }

  /** The job reads, writes and deletes under the mirror prefix only (it replaces manifests, drops old archives). */
  private grantMirrorWrite(): void {
    const objects = this.bucket.arnForObjects(`${this.prefix}*`);
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resources: [objects] }));
    this.grantBucketKey(this.project, ['kms:Decrypt', 'kms:GenerateDataKey']);
    acknowledgeWildcardResource(this.project.role!, objects,
      'The mirror\'s manifests and archives (one key per build of each database); read, write and delete under the mirror prefix only.');
  }

  private grantBucketKey(project: codebuild.IProject, actions: string[]): void {
    const key = this.bucket.encryptionKey;
    if (key) project.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [key.keyArn] }));
  }

  /** PutMetricData has no resource-level permission: the namespace condition confines it to the mirror's metric. */
  private grantPutAge(project: codebuild.IProject): void {
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': this.metricNamespace } },
    }));
    if (project.role) {
      acknowledgeWildcardResource(project.role, '*',
        'cloudwatch:PutMetricData supports no resource-level permissions; '
          + 'it is limited to the mirror\'s namespace by the cloudwatch:namespace condition.');
    }
  }
}

function mirrorPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/$/.test(prefix) || prefix.split('/').some((part) => part === '..')) {
    throw new Error(`DatabaseMirror: prefix must be path segments ending with '/', e.g. 'mirror/', got '${prefix}'`);
  }
  if (['raw/', 'policies/', 'converted/', 'dead-letter/', 'checkpoint/', 'sbom/', 'provenance/'].some((taken) => prefix.startsWith(taken))) {
    throw new Error(`DatabaseMirror: prefix '${prefix}' is inside a prefix the findings processor or the stages own`);
  }
  return prefix;
}

function maxAgeHours(ages: DatabaseMaxAges): Record<MirroredDatabase, number> {
  const given: Record<MirroredDatabase, Duration | undefined> = {
    [MirroredDatabase.GRYPE]: ages.grype,
    [MirroredDatabase.TRIVY]: ages.trivy,
    [MirroredDatabase.TRIVY_JAVA]: ages.trivyJava,
    [MirroredDatabase.CLAMAV]: ages.clamav,
  };
  return Object.fromEntries(ALL_DATABASES.map((database) => {
    const age = given[database];
    if (age === undefined) return [database, DEFAULT_MAX_AGE_HOURS[database]];
    const hours = age.toHours();
    if (!Number.isInteger(hours) || hours < 1) throw new Error(`DatabaseMirror: maxAge of ${database} must be whole hours, at least 1`);
    return [database, hours];
  })) as Record<MirroredDatabase, number>;
}

/** The Grype and Trivy pins of the image stage's buildspec: the job installs exactly what the stages run. */
function scannerPins(): Record<string, codebuild.BuildEnvironmentVariable> {
  const variables = YAML.parse(fs.readFileSync(path.join(EMBEDDED, 'image-scan.yml'), 'utf8')).env.variables as Record<string, string>;
  return Object.fromEntries(['GRYPE_VERSION', 'GRYPE_SHA256', 'TRIVY_VERSION', 'TRIVY_SHA256'].map((name) => {
    if (variables[name] === undefined) throw new Error(`image-scan.yml pins no ${name}`);
    return [name, { value: String(variables[name]) }];
  }));
}
