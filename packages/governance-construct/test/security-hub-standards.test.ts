import { acknowledgementsIn, nagViolations } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import { SecurityHubStandard, SecurityHubStandards, SecurityHubStandardsProps } from '../src';
import { newAgnosticStack, newStack } from './support/stack';

function synth(props: SecurityHubStandardsProps = {}, stack = newStack()) {
  const hub = new SecurityHubStandards(stack, 'SecurityHub', props);
  return { stack, hub, template: Template.fromStack(stack) };
}

function standardArns(template: Template): string[] {
  return Object.values(template.findResources('AWS::SecurityHub::Standard')).map((standard) => JSON.stringify(standard.Properties.StandardsArn));
}

describe('SecurityHubStandards', () => {
  test('enables the hub without its default standards', () => {
    synth().template.hasResourceProperties('AWS::SecurityHub::Hub', {
      EnableDefaultStandards: false,
      ControlFindingGenerator: 'SECURITY_CONTROL',
      AutoEnableControls: true,
    });
  });

  test('subscribes to Foundational Security Best Practices and NIST 800-53 rev5 with partition and region aware ARNs', () => {
    const { template } = synth({}, newAgnosticStack());
    expect(standardArns(template)).toEqual([
      JSON.stringify({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, '::standards/'
        + 'aws-foundational-security-best-practices/v/1.0.0']],
      }),
      JSON.stringify({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:', { Ref: 'AWS::Region' }, '::standards/nist-800-53/v/'
        + '5.0.0']],
      }),
    ]);
  });

  test('subscribes only after the hub is enabled', () => {
    const { template, hub, stack } = synth();
    for (const standard of Object.values(template.findResources('AWS::SecurityHub::Standard'))) {
      expect(standard.DependsOn).toEqual([stack.getLogicalId(hub.hub!)]);
    }
  });

  test('only subscribes to standards where the hub already exists', () => {
    const { template, hub } = synth({ enableHub: false });
    expect(hub.hub).toBeUndefined();
    template.resourceCountIs('AWS::SecurityHub::Hub', 0);
    template.resourceCountIs('AWS::SecurityHub::Standard', 2);
  });

  test('subscribes to the standards it is given', () => {
    const { template } = synth({ standards: [SecurityHubStandard.of('cis-aws-foundations-benchmark/v/3.0.0')] });
    expect(standardArns(template)).toEqual([expect.stringContaining('::standards/cis-aws-foundations-benchmark/v/3.0.0')]);
  });

  test('rejects a standard listed twice and a malformed standard path', () => {
    expect(() => synth({ standards: [SecurityHubStandard.NIST_800_53_REV5, SecurityHubStandard.NIST_800_53_REV5] })).toThrow(/listed twice/);
    expect(() => SecurityHubStandard.of('arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0')).toThrow(/is not a standard path/);
  });

  test('is clean under AwsSolutions and NIST 800-53 rev5 without acknowledgements', () => {
    const { stack } = synth();
    expect(nagViolations(stack)).toEqual([]);
    expect(acknowledgementsIn(stack)).toEqual([]);
  });
});
