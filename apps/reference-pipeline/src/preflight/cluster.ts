import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { KubectlRelease } from '@devsecops-factory/eks-deploy-construct';
import { Check, CheckResult, PreflightContext, errorName } from './types';

/** What the deploy stage runs when no `kubectl` prop is given, as in the reference app. */
export const DEFAULT_KUBECTL = KubectlRelease.V1_36_4.version;

const ACCESS_ENTRY_MODES = new Set(['API', 'API_AND_CONFIG_MAP']);

/**
 * The cluster a deploy stage targets: it exists, takes EKS access entries (the factory adds one for its deploy
 * role and never edits aws-auth), has an endpoint CodeBuild can reach (a public one, or with
 * `deploy.<stage>.privateEndpoint` a private one the deploy build reaches from the factory's network), and runs a
 * Kubernetes version the pinned kubectl supports (within one minor version).
 */
export function clusterCheck(stage: 'staging' | 'production'): Check {
  const name = `EKS cluster (${stage})`;
  return {
    name,
    async run(context: PreflightContext): Promise<CheckResult> {
      const target = context.config.deploy[stage];
      const clusterName = target.clusterName;
      const kubectl = context.assembly?.kubectlVersion ?? DEFAULT_KUBECTL;
      const roleAccount = target.deployRoleArn?.split(':')[4];
      if (roleAccount && roleAccount !== context.account) {
        return {
          name,
          status: 'warning',
          detail: `${clusterName} is in account ${roleAccount} (deploy.${stage}.deployRoleArn): checked in the cluster's account, not from here`,
          fix: `in account ${roleAccount}: aws eks describe-cluster --name ${clusterName} shows authentication mode API or API_AND_CONFIG_MAP, `
            + `public endpoint access, and a Kubernetes version within one minor of kubectl ${kubectl}`,
        };
      }
      let cluster;
      try {
        cluster = (await context.clients.eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw error;
      }
      if (!cluster) {
        return {
          name,
          status: 'blocker',
          detail: `${clusterName} not found in ${context.region}`,
          fix: `create it, or set deploy.${stage}.clusterName to an existing cluster`,
        };
      }
      const problems: string[] = [];
      const fixes: string[] = [];
      const notes: string[] = [];
      if (cluster.status && cluster.status !== 'ACTIVE') {
        problems.push(`status ${cluster.status}`);
        fixes.push('wait until the cluster is ACTIVE');
      }
      // A cluster created before access entries existed has no accessConfig: it authenticates with aws-auth only.
      const mode = cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
      if (!ACCESS_ENTRY_MODES.has(mode)) {
        problems.push(`authentication mode ${mode} takes no access entries`);
        fixes.push(`aws eks update-cluster-config --name ${clusterName} --access-config authenticationMode=API_AND_CONFIG_MAP`);
      }
      const vpc = cluster.resourcesVpcConfig;
      if (target.privateEndpoint) {
        if (vpc?.endpointPrivateAccess !== true) {
          problems.push(`deploy.${stage}.privateEndpoint is set but the cluster's private endpoint is off`);
          fixes.push(`aws eks update-cluster-config --name ${clusterName} --resources-vpc-config endpointPrivateAccess=true`);
        } else if (!target.clusterSecurityGroupId) {
          notes.push('private endpoint: the cluster security group must admit the factory\'s deploy build on 443 '
            + `(or set deploy.${stage}.clusterSecurityGroupId), `
            + `and the factory's network must route to ${vpc.vpcId ?? 'the cluster\'s VPC'}`);
        }
      } else if (vpc?.endpointPublicAccess === false) {
        problems.push('private-only endpoint: the deploy build runs outside any VPC and cannot reach it');
        fixes.push(`set deploy.${stage}.privateEndpoint: true with the factory's network: (docs/private-network.md), `
          + 'or enable public endpoint access: '
          + `aws eks update-cluster-config --name ${clusterName} --resources-vpc-config endpointPublicAccess=true`);
      } else if (vpc?.publicAccessCidrs && vpc.publicAccessCidrs.length > 0 && !vpc.publicAccessCidrs.includes('0.0.0.0/0')) {
        notes.push(`public endpoint limited to ${vpc.publicAccessCidrs.join(', ')}: `
          + `it must admit CodeBuild's ${context.region} ranges (ip-ranges.json, service CODEBUILD)`);
      }
      const skew = minorSkew(cluster.version, kubectl);
      if (skew === undefined || skew > 1) {
        problems.push(`Kubernetes ${cluster.version ?? '(unknown)'} is more than one minor version from kubectl ${kubectl}`);
        fixes.push('upgrade the cluster, or pin a kubectl within one minor of it (EksDeployStage kubectl: KubectlRelease.of(...))');
      }
      if (problems.length > 0) {
        return { name, status: 'blocker', detail: `${clusterName}: ${[...problems, ...notes].join('; ')}`, fix: fixes.join('; ') };
      }
      const endpoint = target.privateEndpoint ? 'private' : 'public';
      const summary = `${clusterName} ACTIVE, ${mode}, ${endpoint} endpoint, Kubernetes ${cluster.version} with kubectl ${kubectl}`;
      if (notes.length > 0) {
        const fix = target.privateEndpoint
          ? 'allow HTTPS from the factory\'s build security group in the cluster security group, '
            + 'and route the factory\'s subnets to the cluster\'s VPC'
          : 'add the CodeBuild ranges to publicAccessCidrs';
        return { name, status: 'warning', detail: `${summary}; ${notes.join('; ')}`, fix };
      }
      return { name, status: 'ok', detail: summary };
    },
  };
}

/** |minor(cluster) - minor(kubectl)|, or undefined when the versions are unreadable or the majors differ. */
export function minorSkew(clusterVersion: string | undefined, kubectlVersion: string): number | undefined {
  const cluster = /^v?(\d+)\.(\d+)/.exec(clusterVersion ?? '');
  const kubectl = /^v?(\d+)\.(\d+)/.exec(kubectlVersion);
  if (!cluster || !kubectl || cluster[1] !== kubectl[1]) return undefined;
  return Math.abs(Number(cluster[2]) - Number(kubectl[2]));
}
