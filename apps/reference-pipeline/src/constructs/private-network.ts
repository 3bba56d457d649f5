import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { NetworkConfig } from '../config/schema';

/** The interface endpoints the builds and the findings function call, by the name the config excludes them with. */
const INTERFACE_ENDPOINTS: Record<string, ec2.InterfaceVpcEndpointAwsService> = {
  'ecr': ec2.InterfaceVpcEndpointAwsService.ECR, // image push, scan results, registry logins
  'ecr-dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER, // docker push and pull (layers come through the S3 gateway)
  'securityhub': ec2.InterfaceVpcEndpointAwsService.SECURITYHUB, // finding imports (function, asff CLI) and the approval link
  'secretsmanager': ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, // build secrets (Snyk token, ZAP key)
  'ssm': ec2.InterfaceVpcEndpointAwsService.SSM, // Parameter Store build variables
  'kms': ec2.InterfaceVpcEndpointAwsService.KMS, // SSE-KMS of reports and artifacts
  'logs': ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS, // build and function logs
  'sts': ec2.InterfaceVpcEndpointAwsService.STS, // the deploy role assumed in another account
  'eks': ec2.InterfaceVpcEndpointAwsService.EKS, // aws eks describe-cluster / update-kubeconfig
  'codebuild': ec2.InterfaceVpcEndpointAwsService.CODEBUILD, // test-report uploads of the gate reports
  'xray': ec2.InterfaceVpcEndpointAwsService.XRAY, // the function's active tracing
  // AWS Signer (no constant in aws-cdk-lib yet): the publish stage signs the digest, the deploys check revocation.
  'signer': new ec2.InterfaceVpcEndpointAwsService('signer'),
  'codeconnections': ec2.InterfaceVpcEndpointAwsService.CODE_CONNECTIONS, // UseConnection of the builds that clone
  'codecommit': ec2.InterfaceVpcEndpointAwsService.CODECOMMIT, // CodeCommit API of the source
  'git-codecommit': ec2.InterfaceVpcEndpointAwsService.CODECOMMIT_GIT, // git clone of a CodeCommit source
};

/** The source providers the factory's applications use: their endpoints only. */
export interface SourceProviders {
  readonly codeConnections: boolean;
  readonly codeCommit: boolean;
}

export interface PrivateNetworkProps {
  readonly config: NetworkConfig;
  readonly sources: SourceProviders;
  /** Key of the flow-log group (the factory's, whose policy lets CloudWatch Logs use it). */
  readonly encryptionKey: kms.IKey;
}

/**
 * Where the factory's builds and the findings function run when `network:` is
 * configured: subnets without a route to the internet (no NAT, no internet
 * gateway in a VPC it creates) that reach AWS through VPC endpoints only, an
 * S3 gateway endpoint and one interface endpoint per service the builds call,
 * all behind one security group that admits HTTPS from inside the VPC.
 */
export class PrivateNetwork extends Construct {
  public readonly vpc: ec2.IVpc;
  /** The builds' and the function's subnets. */
  public readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PRIVATE_ISOLATED };
  /** The interface endpoints created, by config name. */
  public readonly endpoints: Record<string, ec2.InterfaceVpcEndpoint> = {};
  public readonly endpointSecurityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PrivateNetworkProps) {
    super(scope, id);
    const { config } = props;
    this.vpc = config.existingVpc
      ? ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: config.existingVpc.vpcId,
        vpcCidrBlock: config.existingVpc.cidrBlock,
        availabilityZones: config.existingVpc.availabilityZones,
        isolatedSubnetIds: config.existingVpc.subnetIds,
        isolatedSubnetRouteTableIds: config.existingVpc.routeTableIds,
      })
      : this.createVpc(config, props.encryptionKey);
    if (!config.createEndpoints) return;

    const excluded = new Set<string>(config.excludeEndpoints);
    if (!excluded.has('s3')) {
      // Artifacts, reports, the asff CLI asset and ECR image layers all come from S3.
      this.vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [this.subnets] });
    }
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'DevSecOps factory VPC endpoints: HTTPS from inside the VPC only',
      allowAllOutbound: false,
    });
    // The configured range (a literal) rather than the VPC's attribute: the packs then see it is not 0.0.0.0/0.
    this.endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(config.existingVpc?.cidrBlock ?? config.cidr),
      ec2.Port.tcp(443),
      'HTTPS from the factory builds and function',
    );
    for (const [name, service] of Object.entries(INTERFACE_ENDPOINTS)) {
      if (excluded.has(name) || !needed(name, props.sources)) continue;
      this.endpoints[name] = this.vpc.addInterfaceEndpoint(pascal(name), {
        service,
        subnets: this.subnets,
        securityGroups: [this.endpointSecurityGroup],
        privateDnsEnabled: true,
        open: false,
      });
    }
  }

  /**
   * A security group for one application's builds: HTTPS out (the endpoints, a private cluster endpoint), plus
   * the ports `extraPorts` names (the DAST target's). Nothing comes in.
   */
  public buildSecurityGroup(scope: Construct, id: string, extraPorts: number[] = []): ec2.SecurityGroup {
    const group = new ec2.SecurityGroup(scope, id, {
      vpc: this.vpc,
      description: 'DevSecOps factory builds of one application: outbound HTTPS only',
      allowAllOutbound: false,
    });
    for (const port of [...new Set([443, ...extraPorts])]) {
      // The subnets have no route to the internet: "anywhere" reaches what the route tables reach (the S3
      // gateway's prefix list, the endpoints, peered or private networks of an existing VPC).
      group.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(port),
        port === 443 ? 'HTTPS to AWS endpoints and private cluster endpoints' : 'the DAST target',
      );
    }
    return group;
  }

  private createVpc(config: NetworkConfig, key: kms.IKey): ec2.Vpc {
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: key,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(config.cidr),
      maxAzs: config.maxAzs,
      natGateways: 0,
      // Isolated subnets only: no internet gateway, no NAT, no public address.
      subnetConfiguration: [{ name: 'Builds', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      // The default security group loses its rules: nothing can use it by accident.
      restrictDefaultSecurityGroup: true,
      flowLogs: { All: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
    });
    const flowLogRole = vpc.node.findAll().find((node) => node.node.id === 'IAMRole');
    if (flowLogRole) {
      Validations.of(flowLogRole).acknowledge({
        id: 'NIST.800.53.R5-IAMNoInlinePolicy',
        reason: 'aws-cdk-lib gives the flow log its own role with an inline policy limited to writing that one log group.',
      });
    }
    return vpc;
  }
}

/** Endpoints of a source provider no application uses are not created. */
function needed(name: string, sources: SourceProviders): boolean {
  if (name === 'codeconnections') return sources.codeConnections;
  if (name === 'codecommit' || name === 'git-codecommit') return sources.codeCommit;
  return true;
}

function pascal(name: string): string {
  return name.split('-').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}
