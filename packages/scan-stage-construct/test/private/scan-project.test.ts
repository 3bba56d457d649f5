import { nagViolations } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CodeScanStage, SecretsScanStage } from '../../src';
import { newStack, pipelineAround, stageDependencies } from '../support/factory';

/** One synth: a stage in isolated subnets (no NAT), as the factory's private network option places it. */
const stack = newStack();
const deps = stageDependencies(stack);
const vpc = new ec2.Vpc(stack, 'Vpc', {
  natGateways: 0,
  subnetConfiguration: [{ name: 'builds', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  flowLogs: {},
});
const securityGroup = new ec2.SecurityGroup(stack, 'Builds', { vpc, allowAllOutbound: false });
const stage = new SecretsScanStage(stack, 'Secrets', {
  ...deps, vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [securityGroup],
});
pipelineAround(stack, deps.input, [stage.action]);
const template = Template.fromStack(stack);
const [project] = Object.values(template.findResources('AWS::CodeBuild::Project'));

describe('a scan stage in a VPC', () => {
  test('runs its build in the given subnets with the given security group', () => {
    const isolated = vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED }).subnetIds.map((id) => stack.resolve(id));
    expect(project.Properties.VpcConfig).toEqual({
      VpcId: stack.resolve(vpc.vpcId),
      Subnets: isolated,
      SecurityGroupIds: [stack.resolve(securityGroup.securityGroupId)],
    });
  });

  test('gets the network-interface grants CodeBuild needs there, each acknowledged for exactly what it is', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.some((s: any) => [s.Action].flat().includes('ec2:CreateNetworkInterfacePermission'))).toBe(true);
    expect(nagViolations(stage)).toEqual([]);
  });

  test('refuses subnets or security groups without a VPC instead of ignoring them', () => {
    const other = newStack();
    expect(() => new CodeScanStage(other, 'Code', { ...stageDependencies(other), securityGroups: [securityGroup] }))
      .toThrow('subnetSelection and securityGroups place the build in a VPC: give vpc too');
  });
});
