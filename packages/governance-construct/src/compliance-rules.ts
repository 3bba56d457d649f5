import * as config from 'aws-cdk-lib/aws-config';
import { Construct, IDependable } from 'constructs';

interface ManagedRuleDefinition {
  readonly identifier: string;
  /** Change-triggered rules evaluate these resource types; periodic rules have none. */
  readonly resourceTypes?: config.ResourceType[];
  readonly description: string;
}

const MANAGED_RULES: ManagedRuleDefinition[] = [
  {
    identifier: config.ManagedRuleIdentifiers.CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK,
    resourceTypes: [config.ResourceType.CODEBUILD_PROJECT],
    description: 'Build projects must not carry AWS access keys in plaintext environment variables.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK,
    resourceTypes: [config.ResourceType.CODEBUILD_PROJECT],
    description: 'Build project source URLs must not embed credentials (personal access tokens, user names and passwords).',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CODEBUILD_PROJECT_LOGGING_ENABLED,
    resourceTypes: [config.ResourceType.CODEBUILD_PROJECT],
    description: 'Build projects must log to CloudWatch Logs or S3 so every scan run leaves evidence.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION,
    resourceTypes: [config.ResourceType.CODEBUILD_PROJECT],
    description: 'Build project artifacts must be encrypted.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CLOUDTRAIL_MULTI_REGION_ENABLED,
    description: 'At least one multi-region CloudTrail trail must record management events.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED,
    description: 'Trails must produce digest files so log tampering is detectable.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_ENCRYPTION_ENABLED,
    description: 'Trails must encrypt log files with a KMS key.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED,
    description: 'Trails must stream to CloudWatch Logs so governance alarms see the events.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.S3_BUCKET_SSL_REQUESTS_ONLY,
    resourceTypes: [config.ResourceType.S3_BUCKET],
    description: 'Bucket policies must deny requests not made over TLS.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED,
    resourceTypes: [config.ResourceType.S3_BUCKET],
    description: 'Buckets (artifacts, reports, audit logs) must have default encryption.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED,
    resourceTypes: [config.ResourceType.S3_BUCKET],
    description: 'Buckets must block public access.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CMK_BACKING_KEY_ROTATION_ENABLED,
    description: 'Customer managed KMS keys must rotate their key material.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS,
    resourceTypes: [config.ResourceType.IAM_POLICY],
    description: 'Customer managed policies must not grant "*" actions on "*" resources.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.SNS_ENCRYPTED_KMS,
    resourceTypes: [config.ResourceType.SNS_TOPIC],
    description: 'Topics (approvals, alerts) must be encrypted with KMS.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.CLOUDWATCH_LOG_GROUP_ENCRYPTED,
    description: 'Log groups (build logs, audit events) must be encrypted with KMS.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.ECR_PRIVATE_IMAGE_SCANNING_ENABLED,
    description: 'Private ECR repositories must scan images, the factory relies on it before deploying.',
  },
  {
    identifier: config.ManagedRuleIdentifiers.SECURITYHUB_ENABLED,
    description: 'Security Hub must be enabled, the factory imports every finding into it.',
  },
];

/**
 * Properties of {@link ComplianceRules}.
 */
export interface ComplianceRulesProps {
  /**
   * Identifiers (from {@link ComplianceRules.MANAGED_RULE_IDENTIFIERS}) of
   * rules not to deploy, for instance because an organization conformance pack
   * already deploys them.
   *
   * @default - every rule is deployed
   */
  readonly excludedRules?: string[];

  /**
   * How often periodic rules are evaluated.
   *
   * @default config.MaximumExecutionFrequency.TWELVE_HOURS
   */
  readonly periodicEvaluationFrequency?: config.MaximumExecutionFrequency;

  /**
   * A configuration recorder the rules must wait for, when this stack creates
   * one: rules cannot be created in a region without a recorder.
   *
   * @default - the account already records its configuration
   */
  readonly recorder?: IDependable;
}

/**
 * AWS Config managed rules that continuously check the factory's resources
 * and the account around it: build projects (no credentials in environment
 * variables or source URLs, logging, encrypted artifacts), the audit trail,
 * buckets, keys, IAM policies, topics, log groups, ECR scanning and Security Hub.
 * AWS Config must be recording in the region (see {@link ConfigRecorder}).
 */
export class ComplianceRules extends Construct {
  /** Identifiers of every managed rule this construct can deploy, in deployment order. */
  public static readonly MANAGED_RULE_IDENTIFIERS: string[] = MANAGED_RULES.map((rule) => rule.identifier);

  /** The deployed rules, in the order of {@link ComplianceRules.MANAGED_RULE_IDENTIFIERS}. */
  public readonly rules: config.ManagedRule[] = [];

  constructor(scope: Construct, id: string, props: ComplianceRulesProps = {}) {
    super(scope, id);
    const excluded = new Set(props.excludedRules ?? []);
    for (const identifier of excluded) {
      if (!ComplianceRules.MANAGED_RULE_IDENTIFIERS.includes(identifier)) {
        throw new Error(`excludedRules: '${identifier}' is not one of ${ComplianceRules.MANAGED_RULE_IDENTIFIERS.join(', ')}`);
      }
    }
    for (const definition of MANAGED_RULES) {
      if (excluded.has(definition.identifier)) {
        continue;
      }
      const rule = new config.ManagedRule(this, definition.identifier, {
        identifier: definition.identifier,
        description: definition.description,
        ruleScope: definition.resourceTypes ? config.RuleScope.fromResources(definition.resourceTypes) : undefined,
        maximumExecutionFrequency: definition.resourceTypes
          ? undefined
          : props.periodicEvaluationFrequency ?? config.MaximumExecutionFrequency.TWELVE_HOURS,
      });
      if (props.recorder) {
        rule.node.addDependency(props.recorder);
      }
      this.rules.push(rule);
    }
  }
}
