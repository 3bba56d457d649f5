import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { parseConfig } from '../../src/config/load';
import { PreflightClients, PreflightContext, Probe } from '../../src/preflight/types';

export const REGION = 'eu-west-1';
export const ACCOUNT = '111122223333';
export const CONNECTION_ARN = `arn:aws:codeconnections:eu-central-1:${ACCOUNT}:connection/0a1b2c3d-example`;

/** A valid configuration as YAML would give it, before defaults. */
export function rawConfig(): Record<string, any> {
  return {
    source: { type: 'codeconnections', connectionArn: CONNECTION_ARN, repository: 'acme/shop', branch: 'main' },
    image: { name: 'shop', context: 'app' },
    deploy: {
      staging: { clusterName: 'shop-staging', namespace: 'shop' },
      production: { clusterName: 'shop-production', namespace: 'shop' },
    },
    dast: { targetUrl: 'https://staging.shop.test' },
    notifications: { emails: ['team@shop.test'], approverEmails: ['lead@shop.test'] },
  };
}

/**
 * Real SDK clients: aws-sdk-client-mock replaces `send` on every instance of a mocked client class, so nothing
 * resolves credentials or leaves the process. The static credentials only keep an unmocked call from searching
 * the default chain.
 */
export function clients(): PreflightClients {
  const options = { region: REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  return {
    sts: new STSClient(options),
    ssm: new SSMClient(options),
    securityHub: new SecurityHubClient(options),
    configService: new ConfigServiceClient(options),
    eks: new EKSClient(options),
    ecr: new ECRClient(options),
    lambda: new LambdaClient(options),
    connections: (region) => new CodeStarConnectionsClient({ ...options, region }),
  };
}

/** Any probe reaching the network fails the test: registry checks inject their own. */
export const noNetwork: Probe = async (url) => {
  throw new Error(`test reached for the network: ${url}`);
};

export function context(edit: (raw: Record<string, any>) => void = () => {}, overrides: Partial<PreflightContext> = {}): PreflightContext {
  const raw = rawConfig();
  edit(raw);
  return {
    config: parseConfig(raw),
    region: REGION,
    account: ACCOUNT,
    clients: clients(),
    appRepository: '/nonexistent',
    probe: noNetwork,
    ...overrides,
  };
}

/** An SDK v3 service exception as the client throws it (the checks read its name). */
export function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: {} });
}
