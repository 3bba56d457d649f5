import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, clients, REGION } from './support';
import { checkCredentials } from '../../src/preflight/credentials';

const sts = mockClient(STSClient);
beforeEach(() => sts.reset());

describe('credentials check', () => {
  test('ok with the caller\'s account, which the other checks use', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:role/admin` });
    const { result, account } = await checkCredentials(clients().sts, REGION);
    expect(account).toBe(ACCOUNT);
    expect(result).toMatchObject({ status: 'ok', detail: `account ${ACCOUNT} in ${REGION} as arn:aws:iam::${ACCOUNT}:role/admin` });
  });

  test('blocker explaining how to configure credentials when the chain has none', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    sts.on(GetCallerIdentityCommand).rejects(noCredentials);
    const { result, account } = await checkCredentials(clients().sts, REGION);
    expect(account).toBeUndefined();
    expect(result.status).toBe('blocker');
    expect(result.detail).toMatch(/CredentialsProviderError/);
    expect(result.fix).toMatch(/aws sts get-caller-identity/);
  });
});
