import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CheckResult, errorName } from './types';

export const CREDENTIALS = 'AWS credentials';

/**
 * Who the checks run as. Not a `Check`: the others need the account, and without credentials every one of them
 * would fail with the same error, so the runner stops at this one.
 */
export async function checkCredentials(sts: STSClient, region: string): Promise<{ result: CheckResult; account?: string }> {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return {
      account: identity.Account,
      result: { name: CREDENTIALS, status: 'ok', detail: `account ${identity.Account} in ${region} as ${identity.Arn}` },
    };
  } catch (error) {
    return {
      result: {
        name: CREDENTIALS,
        status: 'blocker',
        detail: `none usable (${errorName(error) ?? 'Error'}: ${(error as Error).message})`,
        fix: 'configure credentials for the factory account (aws configure, AWS_PROFILE, or aws sso login) until `aws sts get-caller-identity` works',
      },
    };
  }
}
