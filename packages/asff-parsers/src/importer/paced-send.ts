import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { TokenBucket } from './token-bucket';

/** The part of an SDK command this helper touches (typed loosely: the SDK's handler types are per command). */
interface PaceableCommand {
  readonly middlewareStack: {
    add(middleware: (next: (args: any) => Promise<any>) => (args: any) => Promise<any>, options: { step: 'deserialize'; priority: 'low'; name: string }): void;
  };
}

/**
 * Sends a command after taking a token, at the innermost step of the SDK
 * middleware stack: serializing and signing 100 findings costs tens of
 * milliseconds of CPU, and a token taken before that work would let requests
 * reach the service bunched together although they left the bucket spaced.
 */
export async function pacedSend<T>(client: SecurityHubClient, command: PaceableCommand, bucket: TokenBucket): Promise<T> {
  command.middlewareStack.add(
    (next) => async (args: unknown) => {
      await bucket.take();
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'asffQuotaPacing' },
  );
  return (await client.send(command as never)) as T;
}
