import { execFileSync } from 'child_process';
import { nagViolations } from '@devsecops-factory/test-kit';
import { Stack, aws_eks as eks, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FalcoAddon, FalcoAddonProps, FalcoPriority } from '../../src';
import { identityStatements, testStack, wildcardActions } from '../support/stacks';

function importedCluster(stack: Stack, withKubectlProvider: boolean): eks.ICluster {
  return eks.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'apps',
    kubectlProvider: withKubectlProvider ? eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'KubectlProvider', {
      functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl-provider',
      kubectlRoleArn: 'arn:aws:iam::111111111111:role/kubectl',
      handlerRole: iam.Role.fromRoleArn(stack, 'HandlerRole', 'arn:aws:iam::111111111111:role/kubectl-handler'),
    }) : undefined,
  });
}

function falco(withKubectlProvider: boolean, overrides: Partial<FalcoAddonProps> = {}): { stack: Stack; addon: FalcoAddon; template: Template } {
  const stack = testStack();
  const addon = new FalcoAddon(stack, 'Falco', { cluster: importedCluster(stack, withKubectlProvider), ...overrides });
  return { stack, addon, template: Template.fromStack(stack) };
}

describe('FalcoAddon', () => {
  describe('on a cluster imported without a kubectl provider', () => {
    const { stack, addon, template } = falco(false);

    test('ships alerts to a KMS-encrypted log group with a retention', () => {
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FalcoKey'), 'Arn'] },
        RetentionInDays: 365,
      });
      template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    test('lets falcosidekick write to that log group and nowhere else', () => {
      const statements = identityStatements(template.toJSON());
      expect(statements).toEqual([expect.objectContaining({
        Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FalcoAlerts/), 'Arn'] },
      })]);
      expect(wildcardActions(statements)).toEqual([]);
    });

    test('binds the role to the falcosidekick service account of this cluster through Pod Identity', () => {
      template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', {
        ClusterName: 'apps', Namespace: 'falco', ServiceAccount: 'falco-falcosidekick',
      });
      const trust = (Object.values(template.findResources('AWS::IAM::Role'))[0] as any).Properties.AssumeRolePolicyDocument.Statement;
      expect(trust).toEqual([expect.objectContaining({
        Principal: { Service: 'pods.eks.amazonaws.com' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnEquals: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-west-1:111111111111:cluster/apps']] } },
        },
      })]);
    });

    test('configures JSON output, the modern eBPF driver and the CloudWatch Logs output', () => {
      expect(stack.resolve(addon.helmValues)).toEqual({
        driver: { kind: 'modern_ebpf' },
        falco: { json_output: true, json_include_output_property: true },
        falcosidekick: {
          enabled: true,
          config: {
            aws: { region: 'eu-west-1', cloudwatchlogs: { loggroup: { Ref: expect.stringMatching(/^FalcoAlerts/) }, minimumpriority: 'notice' } },
          },
        },
      });
    });

    test('installs nothing from CloudFormation and outputs the pinned install command instead', () => {
      template.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 0);
      expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([]);
      const output = Object.values(template.findOutputs('*'))[0];
      expect(JSON.stringify(output.Value)).toContain('helm upgrade --install falco falco --repo https://falcosecurity.github.io/charts --version 9.1.0');
    });

    test('writes an install command that is valid shell', () => {
      const script = addon.installCommand.replace(/\$\{Token\[[^\]]+\]\}/g, 'alerts');
      expect(() => execFileSync('bash', ['-n', '-c', script])).not.toThrow();
      expect(script).toContain('--namespace falco --create-namespace --wait --values falco-values.yaml');
    });

    test('is clean under AwsSolutions and NIST 800-53 rev5, with nothing acknowledged', () => {
      expect(nagViolations(stack)).toEqual([]);
    });
  });

  describe('on a cluster imported with its kubectl provider', () => {
    const { stack, addon, template } = falco(true, { minimumPriority: FalcoPriority.WARNING, chartVersion: '9.2.0' });

    test('installs the pinned chart through that provider, creating no Lambda function', () => {
      template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
        ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl-provider',
        Chart: 'falco',
        Repository: 'https://falcosecurity.github.io/charts',
        Version: '9.2.0',
        Release: 'falco',
        Namespace: 'falco',
        Wait: true,
      });
      expect(addon.helmChart).toBeDefined();
      template.resourceCountIs('AWS::Lambda::Function', 0);
    });

    test('passes the same values, with the chosen minimum priority', () => {
      const chart = Object.values(template.findResources('Custom::AWSCDK-EKS-HelmChart'))[0] as any;
      expect(JSON.stringify(chart.Properties.Values)).toContain('\\"minimumpriority\\":\\"warning\\"');
      expect(stack.resolve(addon.helmValues).falcosidekick.config.aws.cloudwatchlogs.minimumpriority).toBe('warning');
    });

    test('is clean under both packs', () => {
      expect(nagViolations(stack)).toEqual([]);
    });
  });

  test.each<[string, Partial<FalcoAddonProps>, RegExp]>([
    ['a chart version range', { chartVersion: '^9.1.0' }, /exact version/],
    ['a namespace that is not a DNS label', { namespace: 'Falco System' }, /namespace/],
  ])('rejects %s', (_name, overrides, message) => {
    expect(() => falco(false, overrides)).toThrow(message);
  });
});
