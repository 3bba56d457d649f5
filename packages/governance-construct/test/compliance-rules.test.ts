import { acknowledgementsIn, nagViolations } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import * as config from 'aws-cdk-lib/aws-config';
import { Construct } from 'constructs';
import { ComplianceRules, ComplianceRulesProps } from '../src';
import { newStack } from './support/stack';

function synth(props: ComplianceRulesProps = {}) {
  const stack = newStack();
  const rules = new ComplianceRules(stack, 'Rules', props);
  return { stack, rules, template: Template.fromStack(stack) };
}

function rulesByIdentifier(template: Template): Record<string, any> {
  const byIdentifier: Record<string, any> = {};
  for (const [logicalId, rule] of Object.entries(template.findResources('AWS::Config::ConfigRule'))) {
    expect(rule.Properties.Source.Owner).toBe('AWS');
    byIdentifier[rule.Properties.Source.SourceIdentifier] = { logicalId, ...rule };
  }
  return byIdentifier;
}

describe('ComplianceRules', () => {
  test.each([
    ['CODEBUILD_PROJECT_ENVVAR_AWSCRED_CHECK', 'AWS::CodeBuild::Project'],
    ['CODEBUILD_PROJECT_SOURCE_REPO_URL_CHECK', 'AWS::CodeBuild::Project'],
    ['CODEBUILD_PROJECT_LOGGING_ENABLED', 'AWS::CodeBuild::Project'],
    ['CODEBUILD_PROJECT_ARTIFACT_ENCRYPTION', 'AWS::CodeBuild::Project'],
    ['S3_BUCKET_SSL_REQUESTS_ONLY', 'AWS::S3::Bucket'],
    ['S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED', 'AWS::S3::Bucket'],
    ['S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED', 'AWS::S3::Bucket'],
    ['IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS', 'AWS::IAM::Policy'],
    ['SNS_ENCRYPTED_KMS', 'AWS::SNS::Topic'],
  ])('evaluates %s whenever a %s changes', (identifier, resourceType) => {
    const rule = rulesByIdentifier(synth().template)[identifier];
    expect(rule).toBeDefined();
    expect(rule.Properties.Scope).toEqual({ ComplianceResourceTypes: [resourceType] });
    expect(rule.Properties.MaximumExecutionFrequency).toBeUndefined();
    expect(rule.Properties.Description.length).toBeGreaterThan(20);
  });

  test.each([
    'CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED',
    'MULTI_REGION_CLOUD_TRAIL_ENABLED',
    'CLOUD_TRAIL_ENCRYPTION_ENABLED',
    'CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED',
    'CMK_BACKING_KEY_ROTATION_ENABLED',
    'CLOUDWATCH_LOG_GROUP_ENCRYPTED',
    'ECR_PRIVATE_IMAGE_SCANNING_ENABLED',
    'SECURITYHUB_ENABLED',
  ])('evaluates %s periodically', (identifier) => {
    const rule = rulesByIdentifier(synth().template)[identifier];
    expect(rule).toBeDefined();
    expect(rule.Properties.MaximumExecutionFrequency).toBe('Twelve_Hours');
    expect(rule.Properties.Scope).toBeUndefined();
  });

  test('deploys exactly the rules it documents', () => {
    const { template } = synth();
    expect(Object.keys(rulesByIdentifier(template)).sort()).toEqual([...ComplianceRules.MANAGED_RULE_IDENTIFIERS].sort());
    expect(ComplianceRules.MANAGED_RULE_IDENTIFIERS).toHaveLength(17);
  });

  test('leaves out excluded rules', () => {
    const { template, rules } = synth({ excludedRules: ['SECURITYHUB_ENABLED', 'ECR_PRIVATE_IMAGE_SCANNING_ENABLED'] });
    const deployed = Object.keys(rulesByIdentifier(template));
    expect(deployed).not.toContain('SECURITYHUB_ENABLED');
    expect(deployed).not.toContain('ECR_PRIVATE_IMAGE_SCANNING_ENABLED');
    expect(deployed).toHaveLength(15);
    expect(rules.rules).toHaveLength(15);
  });

  test('rejects an exclusion that names no rule, so a typo cannot silently keep a rule', () => {
    expect(() => synth({ excludedRules: ['SECURITY_HUB_ENABLED'] })).toThrow(/'SECURITY_HUB_ENABLED' is not one of/);
  });

  test('uses the given periodic frequency', () => {
    const rule = rulesByIdentifier(synth({ periodicEvaluationFrequency: config.MaximumExecutionFrequency.ONE_HOUR }).template).SECURITYHUB_ENABLED;
    expect(rule.Properties.MaximumExecutionFrequency).toBe('One_Hour');
  });

  test('waits for a recorder created in the same stack', () => {
    const stack = newStack();
    const recorder = new Construct(stack, 'Recorder');
    const cfnRecorder = new config.CfnConfigurationRecorder(recorder, 'Resource', {
      roleArn: 'arn:aws:iam::111122223333:role/config',
      recordingGroup: { allSupported: true },
    });
    new ComplianceRules(stack, 'Rules', { recorder });
    const template = Template.fromStack(stack);
    for (const rule of Object.values(rulesByIdentifier(template))) {
      expect(rule.DependsOn).toEqual([stack.getLogicalId(cfnRecorder)]);
    }
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5 without acknowledgements', () => {
    const { stack } = synth();
    expect(nagViolations(stack)).toEqual([]);
    expect(acknowledgementsIn(stack)).toEqual([]);
  });
});
