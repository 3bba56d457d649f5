import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { PreflightClients } from './types';

/** SDK v3 clients in `region`, credentials from the default provider chain. */
export function defaultClients(region: string): PreflightClients {
  const connections = new Map<string, CodeStarConnectionsClient>();
  return {
    sts: new STSClient({ region }),
    ssm: new SSMClient({ region }),
    securityHub: new SecurityHubClient({ region }),
    configService: new ConfigServiceClient({ region }),
    eks: new EKSClient({ region }),
    ecr: new ECRClient({ region }),
    lambda: new LambdaClient({ region }),
    connections(connectionRegion: string) {
      if (!connections.has(connectionRegion)) connections.set(connectionRegion, new CodeStarConnectionsClient({ region: connectionRegion }));
      return connections.get(connectionRegion)!;
    },
  };
}

/** The region the SDK would use from the shared config (profile), when no flag or variable gives one. */
export async function regionFromSharedConfig(): Promise<string | undefined> {
  try {
    return await new STSClient({}).config.region();
  } catch {
    return undefined;
  }
}
