import { join } from 'node:path';
import { removeAcknowledgements } from '@devsecops-factory/test-kit';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { compliancePacks } from '../../src/compliance/packs';
import { loadConfig } from '../../src/config/load';
import { FactoryConfig } from '../../src/config/schema';
import { FactoryStack } from '../../src/stacks/factory-stack';

/**
 * Today's single-application factory in an existing VPC (the option regulated accounts use: their VPC, their
 * subnets), with a private production cluster endpoint. One synth for the file.
 */
const reference = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));
const config: FactoryConfig = {
  ...reference,
  network: {
    cidr: '10.64.0.0/20',
    maxAzs: 2,
    existingVpc: {
      vpcId: 'vpc-0123456789abcdef0',
      cidrBlock: '10.20.0.0/16',
      availabilityZones: ['us-gov-west-1a', 'us-gov-west-1b'],
      subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      routeTableIds: ['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb'],
    },
    createEndpoints: true,
    excludeEndpoints: ['codeconnections'],
  },
  deploy: {
    ...reference.deploy,
    production: { ...reference.deploy.production, privateEndpoint: true, clusterSecurityGroupId: 'sg-0ccccccccccccccc0' },
  },
};
const stack = new FactoryStack(new App(), 'Factory', { config });
const template = Template.fromStack(stack);
const projects = Object.entries(template.findResources('AWS::CodeBuild::Project'));

describe('the factory in an existing VPC', () => {
  test('creates no VPC, NAT or internet gateway, and adds the endpoints to the given subnets', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::NatGateway', 'AWS::EC2::InternetGateway']) template.resourceCountIs(type, 0);
    const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint'));
    const gateway = endpoints.find((e) => e.Properties.VpcEndpointType === 'Gateway')!;
    expect(gateway.Properties.RouteTableIds).toEqual(['rtb-0aaaaaaaaaaaaaaaa', 'rtb-0bbbbbbbbbbbbbbbb']);
    for (const endpoint of endpoints.filter((e) => e.Properties.VpcEndpointType === 'Interface')) {
      expect(endpoint.Properties).toMatchObject({
        VpcId: 'vpc-0123456789abcdef0',
        PrivateDnsEnabled: true,
        SubnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      });
    }
  });

  test('leaves out an excluded endpoint and the endpoints of a source provider nobody uses', () => {
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map((e) => JSON.stringify(e.Properties.ServiceName));
    expect(services.filter((s) => /codeconnections|codecommit/.test(s))).toEqual([]);
    expect(services).toHaveLength(13); // S3 + ecr.api, ecr.dkr, securityhub, secretsmanager, ssm, kms, logs, sts, eks, codebuild, xray, signer
  });

  test('lets the endpoints in on HTTPS from the VPC\'s range only', () => {
    const groups = Object.entries(template.findResources('AWS::EC2::SecurityGroup')).filter(([id]) => id.startsWith('NetworkEndpointSecurityGroup'));
    expect(groups).toHaveLength(1);
    expect(groups[0][1].Properties.SecurityGroupIngress).toEqual([
      expect.objectContaining({ CidrIp: '10.20.0.0/16', FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
  });

  test('runs every scan, the private production deploy and the findings function in the given subnets', () => {
    const inVpc = projects.filter(([, p]) => p.Properties.VpcConfig !== undefined).map(([id]) => id.replace(/Project.*$/, '')).sort();
    // Staging's endpoint is public: its deploy stays outside, so a VPC without a route to it does not break it.
    expect(inVpc).toEqual(['CodeScan', 'DastScan', 'EcrScan', 'ImageScan', 'ProductionDeploy', 'SecretsScan']);
    for (const [, project] of projects.filter(([, p]) => p.Properties.VpcConfig !== undefined)) {
      expect(project.Properties.VpcConfig).toMatchObject({
        VpcId: 'vpc-0123456789abcdef0',
        Subnets: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
      });
    }
    const [findings] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith('FindingsFunction'));
    expect(findings[1].Properties.VpcConfig.SubnetIds).toEqual(['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb']);
  });

  test('lets the deploy build into the private cluster\'s security group on 443', () => {
    const [rule] = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress'))
      .filter((r) => r.Properties.GroupId === 'sg-0ccccccccccccccc0');
    expect(rule.Properties).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^BuildSecurityGroup/), 'GroupId'] },
    });
  });

  test.each(compliancePacks().map((p) => [p.readPackName, p] as const))('%s reports no unacknowledged violation', (_name, pack) => {
    expect(pack.validateScope(stack).violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual([]);
  });

  // Last: it strips the acknowledgements from the tree.
  test('every acknowledgement of the factory in a VPC hides a real violation', () => {
    const removed = removeAcknowledgements(stack, () => true);
    const violations = compliancePacks().flatMap((pack) => pack.validateScope(stack).violations)
      .flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' })));
    const unneeded = removed.filter(
      (ack) => !violations.some((v) => v.rule === ack.id && (v.path === ack.path || v.path.startsWith(`${ack.path}/`))),
    );
    expect(unneeded).toEqual([]);
  });
});
