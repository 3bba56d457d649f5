import { BatchUpdateFindingsCommand } from '@aws-sdk/client-securityhub';
import { SecurityHubImporter } from '../../src/importer/importer';
import { applySuppressions, POLICY_NOTE_AUTHOR } from '../../src/policy/apply-suppressions';
import { parsePolicy } from '../../src/policy/parse-policy';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { PRODUCT_ARN, sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('applySuppressions', () => {
  let fake: FakeSecurityHub;
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
    const importer = new SecurityHubImporter({ client: fake.client(), scope: 's' });
    await importer.import([
      sampleFinding('cve', { GeneratorId: 'grype/CVE-2024-1', Vulnerabilities: [{ Id: 'CVE-2024-1' }] }),
      sampleFinding('one'),
      sampleFinding('other'),
      sampleFinding('manual'),
      sampleFinding('vex', {
        ProductFields: {
          'devsecops-factory/scope': 's',
          'Suppressed': 'not_affected: vulnerable code not in execute path',
          'SuppressionKind': 'external',
        },
      }),
      sampleFinding('nosem', {
        ProductFields: { 'devsecops-factory/scope': 's', 'Suppressed': 'suppressed (inSource)', 'SuppressionKind': 'inSource' },
      }),
    ]);
  });
  afterEach(async () => fake.close());

  const policy = parsePolicy(
    'version: 1\ndefault: HIGH\nsuppressions:\n'
      + '  - rule: CVE-2024-1\n    reason: not reachable\n    expires: 2027-01-01\n'
      + '  - id: one\n    reason: accepted\n    expires: 2026-07-01\n',
    'p.yml',
  );
  const stored = (id: string) => fake.store.get(PRODUCT_ARN, id)!;

  test('suppresses matching findings with a note giving reason and expiry', async () => {
    const summary = await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(summary).toMatchObject({ suppressed: 3, unsuppressed: 0, failed: 0 });
    expect(stored('cve')).toMatchObject({
      Workflow: { Status: 'SUPPRESSED' },
      Note: { Text: 'Suppressed by policy until 2027-01-01: not reachable', UpdatedBy: POLICY_NOTE_AUTHOR },
    });
    expect(stored('other').Workflow.Status).toBe('NEW');
  });

  test('suppresses what the scanner itself reported as suppressed, with its reason', async () => {
    await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(stored('vex')).toMatchObject({
      Workflow: { Status: 'SUPPRESSED' },
      Note: { Text: 'Suppressed in the scanner configuration: not_affected: vulnerable code not in execute path', UpdatedBy: POLICY_NOTE_AUTHOR },
    });
  });

  test('leaves a finding the scanned code suppressed itself ACTIVE, unless the policy honours in-source suppressions', async () => {
    await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(stored('nosem').Workflow.Status).toBe('NEW');
    const honouring = { ...policy, inSourceSuppressions: 'honour' as const };
    await applySuppressions({ client: fake.client(), policy: honouring, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(stored('nosem'))
      .toMatchObject({ Workflow: { Status: 'SUPPRESSED' }, Note: { Text: 'Suppressed in the scanner configuration: suppressed (inSource)' } });
  });

  test('a finding the scanner no longer suppresses goes back to NEW', async () => {
    await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    const importer = new SecurityHubImporter({ client: fake.client(), scope: 's' });
    await importer.import([sampleFinding('vex')]);
    const later = await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(later).toMatchObject({ unsuppressed: 1 });
    expect(stored('vex')).toMatchObject({ Workflow: { Status: 'NEW' }, Note: { Text: 'The scanner no longer suppresses this finding' } });
  });

  test('running it again changes nothing', async () => {
    await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    const again = await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(again).toMatchObject({ suppressed: 0, unsuppressed: 0 });
    expect(fake.requests.received.BatchUpdateFindings).toBe(3); // one request per distinct note, all from the first run
  });

  test('an expired suppression no longer suppresses: the finding goes back to NEW', async () => {
    await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    const later = await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-08-01T00:00:00Z') });
    expect(later).toMatchObject({ suppressed: 0, unsuppressed: 1 });
    expect(stored('one')).toMatchObject({ Workflow: { Status: 'NEW' }, Note: { Text: 'Suppression expired on 2026-07-01: accepted' } });
    expect(stored('cve').Workflow.Status).toBe('SUPPRESSED');
  });

  test('leaves suppressions made by an analyst alone', async () => {
    await fake
      .client()
      .send(
        new BatchUpdateFindingsCommand({
          FindingIdentifiers: [{ Id: 'manual', ProductArn: PRODUCT_ARN }],
          Workflow: { Status: 'SUPPRESSED' },
          Note: { Text: 'risk accepted', UpdatedBy: 'analyst' },
        }),
      );
    await applySuppressions({ client: fake.client(), policy, scope: 's', now: new Date('2026-06-01T00:00:00Z') });
    expect(stored('manual')).toMatchObject({ Workflow: { Status: 'SUPPRESSED' }, Note: { UpdatedBy: 'analyst' } });
  });

  test('retries a throttled update', async () => {
    let throttled = false;
    fake.faults = { beforeRequest: (op) => (op === 'BatchUpdateFindings' && !throttled ? ((throttled = true), 'throttle') : undefined) };
    const summary = await applySuppressions({
      client: fake.client(),
      policy,
      scope: 's',
      now: new Date('2026-06-01T00:00:00Z'),
      backoff: { baseMs: 1, capMs: 5 },
    });
    expect(summary).toMatchObject({ suppressed: 3, throttled: 1, retried: 1 });
  });
});
