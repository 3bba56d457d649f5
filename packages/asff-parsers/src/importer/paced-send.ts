import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { Grant, TokenBucket } from './token-bucket';

/** The part of an SDK command this helper touches (typed loosely: the SDK's handler types are per command). */
interface PaceableCommand {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: any) => Promise<any>) => (args: any) => Promise<any>,
      options: { step: 'deserialize'; priority: 'low'; name: string },
    ): void;
  };
}

/** The token each failed request was sent with, for {@link TokenBucket.throttled}. */
const grants = new WeakMap<object, Grant>();

/** The grant of the request that failed with `error`, when it was sent through {@link pacedSend}. */
export function grantOf(error: unknown): Grant | undefined {
  return typeof error === 'object' && error !== null ? grants.get(error) : undefined;
}

/**
 * Sends a command after taking a token, at the innermost step of the SDK
 * middleware stack: serializing and signing 100 findings costs tens of
 * milliseconds of CPU, and a token taken before that work would let requests
 * reach the service bunched together although they left the bucket spaced.
 * A failure keeps its grant, so that a throttle lowers the rate only when the
 * request was sent after the last decrease.
 */
export async function pacedSend<T>(client: SecurityHubClient, command: PaceableCommand, bucket: TokenBucket): Promise<T> {
  let grant: Grant | undefined;
  command.middlewareStack.add(
    (next) => async (args: unknown) => {
      grant = await bucket.take();
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'asffQuotaPacing' },
  );
  try {
    return (await client.send(command as never)) as T;
  } catch (error) {
    if (grant !== undefined && typeof error === 'object' && error !== null) grants.set(error, grant);
    throw error;
  }
}
