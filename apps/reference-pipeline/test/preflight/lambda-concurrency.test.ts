import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { context } from './support';
import { CloudAssemblyFacts } from '../../src/preflight/cloud-assembly';
import { lambdaConcurrencyCheck } from '../../src/preflight/lambda-concurrency';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

function quota(limit: number, unreserved = limit) {
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: limit, UnreservedConcurrentExecutions: unreserved } });
}

const reserving = (reservedConcurrentExecutions: number): { assembly: CloudAssemblyFacts } => ({
  assembly: { dir: 'cdk.out', reservedConcurrentExecutions },
});

describe('Lambda concurrency check', () => {
  test('ok when a reservation leaves at least 100 unreserved executions', async () => {
    quota(1000, 1000);
    expect(await lambdaConcurrencyCheck.run(context(undefined, reserving(2)))).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/leaves 998 unreserved/),
    });
  });

  test('blocker when the reservation would leave fewer than 100 (a new account with a quota of 10)', async () => {
    quota(10);
    const result = await lambdaConcurrencyCheck.run(context(undefined, reserving(2)));
    expect(result.status).toBe('blocker');
    expect(result.detail).toMatch(/reserve 2, leaving 8 of 10 unreserved executions \(Lambda requires 100\)/);
    expect(result.fix).toMatch(/Service Quotas/);
  });

  test('without a reservation (the reference app) a low quota is only a warning', async () => {
    quota(10);
    const result = await lambdaConcurrencyCheck.run(context());
    expect(result.status).toBe('warning');
    expect(result.detail).toMatch(/account limit 10 .*the reference app \(src\/stacks\/factory-stack.ts\) reserve none/);
  });

  test('without a reservation the default quota is ok', async () => {
    quota(1000);
    expect((await lambdaConcurrencyCheck.run(context())).status).toBe('ok');
  });
});
