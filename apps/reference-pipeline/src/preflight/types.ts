import type { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { ECRClient } from '@aws-sdk/client-ecr';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
import type { CloudAssemblyFacts } from './cloud-assembly';
import type { FactoryConfig } from '../config/schema';

/** ok: nothing to do; blocker: the first deploy or run would fail (exit 1); warning: worth knowing, not fatal. */
export type CheckStatus = 'ok' | 'blocker' | 'warning';

/** What one check found, printed as one line of the checklist. */
export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about it: always given for a blocker. */
  readonly fix?: string;
}

/** The HTTPS probe the registry check uses: injected so tests never reach the network. */
export type Probe = (url: string, init: { method: 'HEAD'; signal: AbortSignal }) => Promise<{ status: number }>;

/** Read-only SDK v3 clients, all in the target region except the connection's (its ARN names its region). */
export interface PreflightClients {
  readonly sts: STSClient;
  readonly ssm: SSMClient;
  readonly securityHub: SecurityHubClient;
  readonly configService: ConfigServiceClient;
  readonly eks: EKSClient;
  readonly ecr: ECRClient;
  readonly lambda: LambdaClient;
  connections(region: string): CodeStarConnectionsClient;
}

export interface PreflightContext {
  readonly config: FactoryConfig;
  readonly region: string;
  /** The caller's account (from STS): tells a cross-account cluster from a local one. */
  readonly account: string;
  readonly clients: PreflightClients;
  /** What the synthesized app requires, when cdk.out exists; the checks fall back to the source defaults. */
  readonly assembly?: CloudAssemblyFacts;
  /** cdk.json context `@aws-cdk/core:bootstrapQualifier`, if set. */
  readonly bootstrapQualifier?: string;
  /** Root of the application repository (where `image.context` is), to read the Dockerfile. */
  readonly appRepository: string;
  readonly probe: Probe;
}

export interface Check {
  /** Also the name reported when the check itself throws (e.g. AccessDenied). */
  readonly name: string;
  /** Reads only local files and the network, no AWS API: still runs when there are no credentials. */
  readonly offline?: boolean;
  run(context: PreflightContext): Promise<CheckResult>;
}

/** The SDK v3 error name (`ParameterNotFound`, `ResourceNotFoundException`, ...), or undefined. */
export function errorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : undefined;
}
