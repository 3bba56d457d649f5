import { join } from 'node:path';
import { removeAcknowledgements, identityStatements, isServiceWideWildcard } from '@devsecops-factory/test-kit';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compliancePacks } from '../../src/compliance/packs';
import { loadFactory } from '../../src/config/load';
import { ROLE_POLICY_CHANGE_EVENT_NAMES } from '../../src/constructs/application-notifications';
import { addFactoryStacks } from '../../src/factory-app';
import { ApplicationStack } from '../../src/stacks/application-stack';
import { fitsOneEventPattern } from '../../src/stacks/shared-stack';

/** The committed example, synthesized once for the whole file. */
const definition = loadFactory(join(__dirname, '..', '..', 'examples', 'three-applications.config.yaml'));
const app = new App();
const stacks = addFactoryStacks(app, definition);
const shared = Template.fromStack(stacks.shared!);
const applications = stacks.applications.map((stack) => ({
  stack: stack as ApplicationStack,
  template: Template.fromStack(stack),
  application: definition.applications.find((a) => stack.stackName === `acme-factory-app-${a.name}`)!,
}));
const resolved = (stack: Stack, value: unknown) => JSON.stringify(stack.resolve(value));

describe('a factory of three applications', () => {
  test('is a stack of shared parts and one stack per application, each with its own pipeline', () => {
    expect(stacks.all.map((s) => s.stackName)).toEqual([
      'acme-factory-shared', 'acme-factory-app-shop', 'acme-factory-app-billing-api', 'acme-factory-app-billing-worker',
    ]);
    for (const { template, application } of applications) {
      expect(application).toBeDefined();
      const pipelines = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
      expect(pipelines.map((p) => p.Properties.Name)).toEqual([application.config.name]);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      template.resourceCountIs('AWS::CloudTrail::Trail', 0);
    }
    shared.resourceCountIs('AWS::CodePipeline::Pipeline', 0);
    shared.resourceCountIs('AWS::CloudTrail::Trail', 1);
  });

  test('processes every application\'s findings with one function and one reports bucket', () => {
    const functions = Object.keys(shared.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('FindingsFunction'));
    expect(functions).toHaveLength(1);
    const reportsBuckets = Object.keys(shared.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('FindingsReportsBucket'));
    expect(reportsBuckets).toHaveLength(1);
    for (const { template } of applications) {
      expect(JSON.stringify(template.toJSON())).toContain('"Fn::ImportValue":"acme-factory-reports-bucket-arn"');
    }
  });

  test('lets an application\'s builds only put reports under their own prefix, and read none', () => {
    for (const { stack, template, application } of applications) {
      const onReports = identityStatements(template).filter((s) => JSON.stringify(s.resources).includes('acme-factory-reports-bucket-arn'));
      expect(onReports.length).toBeGreaterThanOrEqual(5);
      for (const statement of onReports) {
        expect(statement.actions).toEqual(['s3:PutObject']);
        for (const resource of statement.resources) {
          // raw/, policies/ (and any other upload prefix): <prefix>/<application>/<repository>/...
          const path = resolved(stack, resource).match(/"\/([a-z-]+)\/([^"]*)"/);
          expect(path).not.toBeNull();
          expect(path![2].startsWith(`${application.reportsRepository}/`)).toBe(true);
        }
      }
    }
  });

  test('grants no wildcard action and keeps each application\'s artifacts under its own key', () => {
    const keys = applications.map(({ template }) => Object.keys(template.findResources('AWS::KMS::Key')));
    for (const own of keys) expect(own).toHaveLength(1);
    for (const { template } of [...applications, { template: shared }]) {
      expect(identityStatements(template).filter((s) => s.actions.some(isServiceWideWildcard))).toEqual([]);
    }
  });

  test('tells each application\'s team about its own pipeline and roles only', () => {
    for (const { stack, template, application } of applications) {
      const subscriptions = Object.values(template.findResources('AWS::SNS::Subscription'))
        .filter((s) => s.Properties.Protocol === 'email' && !JSON.stringify(s.Properties.TopicArn).includes('Approval'));
      expect(subscriptions.map((s) => s.Properties.Endpoint)).toEqual(application.config.notifications.emails);
      const rules = stack.notifications.rules.map((rule) => stack.resolve((rule.node.defaultChild as any).eventPattern));
      const pipelineRules = rules.filter((pattern) => pattern.source[0] === 'aws.codepipeline');
      expect(pipelineRules).toHaveLength(2);
      for (const pattern of pipelineRules) expect(pattern.detail.pipeline).toEqual([{ Ref: expect.stringMatching(/^Pipeline/) }]);
      const [roles] = rules.filter((pattern) => pattern.source[0] === 'aws.iam');
      expect(roles.detail.eventName).toEqual(ROLE_POLICY_CHANGE_EVENT_NAMES);
      // The pipeline's role, the seven builds' roles (five scans, two deploys).
      expect(roles.detail.requestParameters.roleName).toHaveLength(8);
      // An event pattern holds 2,048 characters; the role names are this stack's, not the factory's.
      expect(JSON.stringify(roles).length).toBeLessThan(2048);
    }
  });

  test('watches the role-policy events the governance construct watches', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const governance = require('@devsecops-factory/governance-construct/lib/private/factory-api-calls');
    expect(ROLE_POLICY_CHANGE_EVENT_NAMES).toEqual(governance.ROLE_POLICY_CHANGE_EVENT_NAMES);
  });

  test('notifies the platform team of the factory\'s pipelines by name while the names fit one event pattern', () => {
    const [executionFailed] = Object.values(shared.findResources('AWS::Events::Rule'))
      .filter((rule) => rule.Properties.Description === 'DevSecOps factory: a pipeline execution failed');
    expect(JSON.stringify(executionFailed.Properties.EventPattern.detail.pipeline)).toContain('acme-factory-billing-worker');
    expect(fitsOneEventPattern(Array.from({ length: 20 }, () => 'acme-factory-billing-worker'))).toBe(true);
    expect(fitsOneEventPattern(Array.from({ length: 51 }, () => 'acme-factory-billing-worker'))).toBe(false);
  });

  test('runs every build and the findings function in isolated subnets without NAT, reaching AWS through endpoints', () => {
    shared.resourceCountIs('AWS::EC2::NatGateway', 0);
    shared.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const subnet of Object.values(shared.findResources('AWS::EC2::Subnet'))) expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    const services = Object.values(shared.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    for (const service of ['.s3"', '.ecr.api"', '.ecr.dkr"', '.securityhub"', '.secretsmanager"', '.ssm"', '.kms"', '.logs"', '.sts"', '.eks"',
      '.codebuild"', '.xray"', '.signer"', '.codeconnections.api"', '.codecommit"', '.git-codecommit"']) {
      expect(services.filter((name) => name.includes(service))).toHaveLength(1);
    }
    const [findings] = Object.entries(shared.findResources('AWS::Lambda::Function'))
      .filter(([id]) => id.startsWith('FindingsFunction'))
      .map(([, f]) => f);
    expect(findings.Properties.VpcConfig.SubnetIds.length).toBe(2);
    for (const { template, application } of applications) {
      const projects = Object.entries(template.findResources('AWS::CodeBuild::Project'));
      const inVpc = projects.filter(([, p]) => p.Properties.VpcConfig !== undefined).map(([id]) => id.replace(/Project.*$/, ''));
      // Every scan; the deploys only where the cluster endpoint is private (the shop's).
      const deploys = application.config.deploy.staging.privateEndpoint ? ['StagingDeploy', 'ProductionDeploy'] : [];
      expect(inVpc.sort()).toEqual(['CodeScan', 'DastScan', 'EcrScan', 'ImageScan', 'SecretsScan', ...deploys].sort());
    }
  });

  test('opens the builds\' security group outbound to HTTPS and the DAST target\'s port only, inbound to nothing', () => {
    for (const { template, application } of applications) {
      const [group] = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).filter(([id]) => id.startsWith('BuildSecurityGroup'));
      expect(group[1].Properties.SecurityGroupIngress).toBeUndefined();
      const ports = group[1].Properties.SecurityGroupEgress.map((rule: any) => rule.FromPort).sort();
      expect(ports).toEqual(application.name === 'billing-worker' ? [443, 8080] : [443]);
    }
  });

  test.each(compliancePacks().map((p) => [p.readPackName, p] as const))('%s reports no unacknowledged violation in any stack', (_name, pack) => {
    const violations = stacks.all.flatMap((stack) => pack.validateScope(stack).violations);
    expect(violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual([]);
  });

  // Last: it strips the acknowledgements from the tree the tests above read.
  test('every acknowledgement of the multi-application stacks hides a real violation', () => {
    const removed = stacks.all.flatMap((stack) => removeAcknowledgements(stack, () => true));
    const violations = compliancePacks().flatMap((pack) => stacks.all.flatMap((stack) => pack.validateScope(stack).violations))
      .flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
    const unneeded = removed.filter(
      (ack) => !violations.some((v) => v.rule === ack.id && (v.path === ack.path || v.path.startsWith(`${ack.path}/`))),
    );
    expect(unneeded).toEqual([]);
  });
});
