import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import { VirtualClock } from './virtual-clock';
import { grantOf, pacedSend } from '../../src/importer/paced-send';
import { TokenBucket } from '../../src/importer/token-bucket';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('pacedSend', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  test('a throttled request carries the grant it was sent with, so that only news lowers the rate', async () => {
    fake.faults = { beforeRequest: () => 'throttle' };
    const clock = new VirtualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 30 }, clock, 0);
    const client = fake.client();
    const send = () => pacedSend(client, new BatchImportFindingsCommand({ Findings: [sampleFinding('a')] }), bucket)
      .then(() => undefined, (error: unknown) => error);
    // Both sent before any decrease: the first throttle lowers the rate, the second says nothing new.
    const [first, second] = await Promise.all([send(), send()]);
    expect(grantOf(first)).toMatchObject({ decreases: 0 });
    bucket.throttled(grantOf(first));
    bucket.throttled(grantOf(second));
    expect(bucket.ratePerSecond()).toBeCloseTo(7, 6);
    const third = await send();
    expect(grantOf(third)).toMatchObject({ decreases: 1 });
    expect(grantOf(new Error('not sent through pacedSend'))).toBeUndefined();
    client.destroy();
  });
});
