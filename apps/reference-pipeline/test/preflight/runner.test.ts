import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, awsError, context } from './support';
import { exitCode, formatChecklist, runPreflight } from '../../src/preflight/runner';
import { Check, CheckResult } from '../../src/preflight/types';

const sts = mockClient(STSClient);
beforeEach(() => sts.reset());

function fixed(result: Omit<CheckResult, 'name'>, name = 'Fixed'): Check {
  return { name, run: async () => ({ name, ...result }) };
}

const { account: _account, ...base } = context();

describe('preflight runner', () => {
  test('runs every check with the caller\'s account, credentials first, in checklist order', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: 'arn' });
    const seen: string[] = [];
    const spy: Check = { name: 'Spy', run: async (ctx) => { seen.push(ctx.account); return { name: 'Spy', status: 'ok', detail: 'fine' }; } };
    const results = await runPreflight(base, [spy, fixed({ status: 'warning', detail: 'hmm' })]);
    expect(results.map((result) => [result.name, result.status])).toEqual([['AWS credentials', 'ok'], ['Spy', 'ok'], ['Fixed', 'warning']]);
    expect(seen).toEqual([ACCOUNT]);
  });

  test('a check that throws is a blocker naming the error (nothing was confirmed)', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT });
    const throwing: Check = {
      name: 'Denied',
      run: async () => {
        throw awsError('AccessDeniedException', 'not authorized to perform eks:DescribeCluster');
      },
    };
    const [, result] = await runPreflight(base, [throwing]);
    expect(result).toMatchObject({
      name: 'Denied',
      status: 'blocker',
      detail: 'could not check (AccessDeniedException: not authorized to perform eks:DescribeCluster)',
    });
  });

  test('without credentials only the offline checks run; the others are blockers pointing at the credentials', async () => {
    sts.on(GetCallerIdentityCommand).rejects(awsError('CredentialsProviderError'));
    const aws = { name: 'AWS', run: jest.fn() };
    const results = await runPreflight(base, [aws, { ...fixed({ status: 'ok', detail: 'local' }, 'Local'), offline: true }]);
    expect(aws.run).not.toHaveBeenCalled();
    expect(results.map((result) => [result.name, result.status])).toEqual([['AWS credentials', 'blocker'], ['AWS', 'blocker'], ['Local', 'ok']]);
  });
});

describe('checklist', () => {
  const results: CheckResult[] = [
    { name: 'Security Hub', status: 'ok', detail: 'enabled in eu-west-1' },
    { name: 'AWS Config recorder', status: 'blocker', detail: 'none in eu-west-1', fix: 'set governance.enableConfigRecorder: true' },
    { name: 'Lambda concurrency', status: 'warning', detail: 'account limit 10', fix: 'raise the quota' },
  ];

  test('one line per check with the fix for each blocker, then a summary; exit 1 on a blocker', () => {
    expect(formatChecklist(results)).toEqual([
      '✔ Security Hub: enabled in eu-west-1',
      '✖ AWS Config recorder: none in eu-west-1 — fix: set governance.enableConfigRecorder: true',
      '⚠ Lambda concurrency: account limit 10 — fix: raise the quota',
      '1 ok, 1 warning(s), 1 blocker(s): fix the blockers before cdk deploy',
    ]);
    expect(exitCode(results)).toBe(1);
  });

  test('warnings alone exit 0 and say ready', () => {
    const withoutBlocker = results.filter((result) => result.status !== 'blocker');
    expect(formatChecklist(withoutBlocker).at(-1)).toBe('1 ok, 1 warning(s), 0 blocker(s): ready to deploy');
    expect(exitCode(withoutBlocker)).toBe(0);
  });
});
