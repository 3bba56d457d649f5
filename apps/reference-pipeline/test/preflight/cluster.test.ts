import { AuthenticationMode, Cluster, DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, awsError, context } from './support';
import { clusterCheck, DEFAULT_KUBECTL, minorSkew } from '../../src/preflight/cluster';

const eks = mockClient(EKSClient);
beforeEach(() => eks.reset());

/** A cluster the deploy works against: one minor below the pinned kubectl. */
function healthy(): Cluster {
  const [major, minor] = DEFAULT_KUBECTL.replace(/^v/, '').split('.').map(Number);
  return {
    name: 'shop-staging',
    status: 'ACTIVE',
    version: `${major}.${minor - 1}`,
    accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
    resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: true, publicAccessCidrs: ['0.0.0.0/0'] },
  };
}

function clusterIs(cluster: Cluster) {
  eks.on(DescribeClusterCommand).resolves({ cluster });
}

const staging = clusterCheck('staging');

describe('EKS cluster check', () => {
  test('ok for an active cluster with access entries, a public endpoint and a supported version', async () => {
    clusterIs(healthy());
    const result = await staging.run(context());
    expect(result.status).toBe('ok');
    expect(eks.commandCalls(DescribeClusterCommand)[0].args[0].input).toEqual({ name: 'shop-staging' });
  });

  test('blocker when the cluster does not exist', async () => {
    eks.on(DescribeClusterCommand).rejects(awsError('ResourceNotFoundException'));
    const result = await staging.run(context());
    expect(result).toMatchObject({ status: 'blocker', detail: 'shop-staging not found in eu-west-1' });
    expect(result.fix).toMatch(/deploy.staging.clusterName/);
  });

  const withoutAccessEntries: Array<[AuthenticationMode | undefined]> = [['CONFIG_MAP'], [undefined]];
  test.each(withoutAccessEntries)('blocker when the authentication mode (%s) takes no access entries', async (mode) => {
    clusterIs({ ...healthy(), accessConfig: mode ? { authenticationMode: mode } : undefined });
    const result = await staging.run(context());
    expect(result.status).toBe('blocker');
    expect(result.detail).toMatch(/authentication mode CONFIG_MAP/);
    expect(result.fix).toMatch(/--access-config authenticationMode=API_AND_CONFIG_MAP/);
  });

  test('blocker for a private-only endpoint the deploy does not reach from the factory network', async () => {
    clusterIs({ ...healthy(), resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true } });
    const result = await staging.run(context());
    expect(result.status).toBe('blocker');
    expect(result.detail).toMatch(/private-only endpoint: the deploy build runs outside any VPC/);
    expect(result.fix).toMatch(/deploy\.staging\.privateEndpoint: true/);
  });

  const privately = (raw: Record<string, any>, securityGroup?: string) => {
    raw.network = {};
    raw.deploy.staging.privateEndpoint = true;
    if (securityGroup) raw.deploy.staging.clusterSecurityGroupId = securityGroup;
  };

  test('ok for a private-only endpoint reached from the factory network, whose build the cluster group admits', async () => {
    clusterIs({ ...healthy(), resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true, vpcId: 'vpc-0123456789abcdef0' } });
    const result = await staging.run(context((raw) => privately(raw, 'sg-0123456789abcdef0')));
    expect(result).toMatchObject({ status: 'ok', detail: expect.stringMatching(/private endpoint/) });
  });

  test('warning for a private endpoint whose security group the factory does not open: someone must', async () => {
    clusterIs({ ...healthy(), resourcesVpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true, vpcId: 'vpc-0123456789abcdef0' } });
    const result = await staging.run(context((raw) => privately(raw)));
    expect(result.status).toBe('warning');
    expect(result.detail).toMatch(/must admit the factory's deploy build on 443 .* route to vpc-0123456789abcdef0/);
  });

  test('blocker when the config expects a private endpoint the cluster has switched off', async () => {
    clusterIs({ ...healthy(), resourcesVpcConfig: { endpointPublicAccess: true, endpointPrivateAccess: false } });
    const result = await staging.run(context((raw) => privately(raw, 'sg-0123456789abcdef0')));
    expect(result.status).toBe('blocker');
    expect(result.fix).toMatch(/endpointPrivateAccess=true/);
  });

  test('blocker when Kubernetes is more than one minor version from the pinned kubectl', async () => {
    clusterIs({ ...healthy(), version: '1.20' });
    const result = await staging.run(context());
    expect(result.status).toBe('blocker');
    expect(result.detail).toMatch(new RegExp(`Kubernetes 1.20 is more than one minor version from kubectl ${DEFAULT_KUBECTL}`));
  });

  test('compares with the kubectl the synthesized deploy projects download, when cdk.out exists', async () => {
    clusterIs({ ...healthy(), version: '1.20' });
    const assembly = { dir: 'cdk.out', reservedConcurrentExecutions: 0, kubectlVersion: 'v1.21.3' };
    expect((await staging.run(context(undefined, { assembly }))).status).toBe('ok');
  });

  test('warning when the public endpoint admits only some CIDRs: CodeBuild\'s ranges must be among them', async () => {
    clusterIs({ ...healthy(), resourcesVpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ['203.0.113.0/24'] } });
    const result = await staging.run(context());
    expect(result.status).toBe('warning');
    expect(result.detail).toMatch(/service CODEBUILD/);
  });

  test('a cluster in another account is reported as checked there, without calling EKS', async () => {
    const result = await clusterCheck('production').run(context((raw) => {
      raw.deploy.production.deployRoleArn = 'arn:aws:iam::444455556666:role/factory-deploy';
    }));
    expect(result.status).toBe('warning');
    expect(result.detail).toMatch(/in account 444455556666 .*checked in the cluster's account/);
    expect(eks.calls()).toHaveLength(0);
  });

  test('a deploy role in the caller\'s own account is checked here', async () => {
    clusterIs(healthy());
    const result = await staging.run(context((raw) => {
      raw.deploy.staging.deployRoleArn = `arn:aws:iam::${ACCOUNT}:role/factory-deploy`;
    }));
    expect(result.status).toBe('ok');
  });
});

describe('minorSkew', () => {
  test.each([
    ['1.35', 'v1.36.4', 1],
    ['1.36', 'v1.36.4', 0],
    ['1.37', 'v1.36.4', 1],
    ['1.33', 'v1.36.4', 3],
    ['2.0', 'v1.36.4', undefined],
    [undefined, 'v1.36.4', undefined],
  ])('cluster %s with kubectl %s is %s minor apart', (cluster, kubectl, skew) => {
    expect(minorSkew(cluster, kubectl)).toBe(skew);
  });
});
