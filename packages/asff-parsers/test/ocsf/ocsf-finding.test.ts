import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { OCSF_VERSION, toOcsf, validateOcsf } from '../../src/ocsf';
import { convertFixture, fixtureCases } from '../support/convert-helpers';

const at = (iso: string) => Date.parse(iso);

describe('ASFF findings as OCSF 1.1.0 events', () => {
  test('a finding about a CVE is a Vulnerability Finding with the CVE, its CVSS and the package to fix', async () => {
    const [finding] = await convertFixture('grype', 'two-matches.json');
    const event = toOcsf(finding);
    expect(event).toMatchObject({
      metadata: { version: OCSF_VERSION, product: { name: 'Anchore Grype', vendor_name: 'DevSecOps Factory' }, uid: finding.Id },
      category_uid: 2,
      class_uid: 2002,
      class_name: 'Vulnerability Finding',
      activity_id: 1,
      type_uid: 200201,
      severity_id: 5,
      severity: 'Critical',
      status_id: 1,
      time: at('2026-01-02T03:04:05.000Z'),
      cloud: { provider: 'AWS', region: 'eu-west-1', account: { uid: '123456789012', type_id: 10 } },
      finding_info: { uid: finding.Id, title: finding.Title, analytic: { uid: 'grype/CVE-2023-1000', name: 'CVE-2023-1000', type_id: 1 } },
      vulnerabilities: [{ cve: { uid: 'CVE-2023-1000' } }],
    });
    const vulnerability = (event.vulnerabilities as Array<Record<string, any>>)[0];
    const pkg = finding.Vulnerabilities![0].VulnerablePackages![0];
    expect(vulnerability.affected_packages[0]).toMatchObject({ name: pkg.Name, version: pkg.Version });
    if (pkg.FixedInVersion) expect(vulnerability.affected_packages[0].fixed_in_version).toBe(pkg.FixedInVersion);
    expect(validateOcsf(event)).toEqual([]);
  });

  test('a finding without a CVE or CWE (an advisory id only, a rule) is a Detection Finding with its remediation', async () => {
    const findings = await convertFixture('grype', 'two-matches.json');
    const ghsa = findings.find((f) => f.GeneratorId === 'grype/GHSA-abcd-efgh-ijkl')!;
    const withoutCve: AwsSecurityFinding = {
      ...ghsa,
      Vulnerabilities: [{ ...ghsa.Vulnerabilities![0], RelatedVulnerabilities: [] }],
      Remediation: { Recommendation: { Text: 'Upgrade the package.' } },
    };
    const event = toOcsf(withoutCve);
    expect(event).toMatchObject({ class_uid: 2004, type_uid: 200401, remediation: { desc: 'Upgrade the package.' } });
    expect(event.vulnerabilities).toBeUndefined();
    expect(validateOcsf(event)).toEqual([]);
  });

  test('a rule mapped to a CWE is a Vulnerability Finding with that CWE', () => {
    const event = toOcsf({ ...base(), Types: ['Software and Configuration Checks/Vulnerabilities/CWE-89'] });
    expect(event).toMatchObject({ class_uid: 2002, vulnerabilities: [{ cwe: { uid: 'CWE-89' } }] });
    expect(validateOcsf(event)).toEqual([]);
  });

  test('the lifecycle maps to OCSF activities and statuses: updated, closed, suppressed', () => {
    expect(toOcsf({ ...base(), FirstObservedAt: '2025-12-01T00:00:00.000Z' })).toMatchObject({
      activity_id: 2,
      activity_name: 'Update',
      type_uid: 200402,
    });
    expect(toOcsf({ ...base(), RecordState: 'ARCHIVED' })).toMatchObject({ activity_id: 3, activity_name: 'Close' });
    expect(toOcsf({ ...base(), Workflow: { Status: 'SUPPRESSED' } })).toMatchObject({ status_id: 3, status: 'Suppressed' });
    expect(toOcsf({ ...base(), FirstObservedAt: '2025-12-01T00:00:00.000Z' }).finding_info).toMatchObject({
      first_seen_time: at('2025-12-01T00:00:00.000Z'),
    });
  });

  test('related findings of other tools become related events, ProductFields stay in unmapped', () => {
    const event = toOcsf({
      ...base(),
      RelatedFindings: [{ Id: 'other-id', ProductArn: base().ProductArn! }],
      ProductFields: { 'factory/scope': 'repo/main' },
    });
    expect(event.finding_info).toMatchObject({ related_events: [{ uid: 'other-id', product_uid: base().ProductArn }] });
    expect(event.unmapped).toEqual({ product_fields: { 'factory/scope': 'repo/main' } });
  });

  // Every report of every parser's fixtures: whatever a scanner wrote, the events conform.
  const cases = fixtureCases();
  test.each(cases)('every finding of %s %s converts to an event OCSF 1.1.0 accepts', async (tool, name) => {
    const findings = await convertFixture(tool, name).catch(() => [] as AwsSecurityFinding[]);
    const issues = findings.flatMap((f) => validateOcsf(toOcsf(f)).map((i) => `${f.GeneratorId}: ${i.path} ${i.message}`));
    expect(issues).toEqual([]);
  });
});

describe('validateOcsf', () => {
  test('names each missing required attribute and wrong value by its path', () => {
    const event = toOcsf({ ...base(), Types: ['CWE-79'] });
    const broken = {
      ...event,
      type_uid: 1,
      severity_id: 7,
      finding_info: { title: 't' },
      metadata: { version: OCSF_VERSION, product: { name: 'x' } },
      vulnerabilities: [{ title: 'no cve, no cwe' }, { cve: { cvss: [{ version: '3.1' }] } }],
    };
    expect(validateOcsf(broken)).toEqual([
      { path: 'type_uid', message: 'must be class_uid * 100 + activity_id' },
      { path: 'severity_id', message: 'must be one of 0, 1, 2, 3, 4, 5, 6, 99' },
      { path: 'metadata.product.vendor_name', message: 'is required' },
      { path: 'finding_info.uid', message: 'is required' },
      { path: 'vulnerabilities.0', message: 'must have a cve or a cwe' },
      { path: 'vulnerabilities.1.cve.uid', message: 'is required' },
      { path: 'vulnerabilities.1.cve.cvss.0.base_score', message: 'is required' },
    ]);
  });

  test('a Vulnerability Finding needs vulnerabilities; any event needs the classification and time', () => {
    expect(validateOcsf({ class_uid: 2002, category_uid: 2 })).toEqual(expect.arrayContaining([
      { path: 'activity_id', message: 'is required' },
      { path: 'time', message: 'is required' },
      { path: 'metadata', message: 'is required' },
      { path: 'vulnerabilities', message: 'is required' },
    ]));
  });
});

function base(): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: 'arn:aws:securityhub:eu-west-1:123456789012:finding/semgrep/abc',
    ProductArn: 'arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default',
    ProductName: 'Semgrep',
    CompanyName: 'DevSecOps Factory',
    GeneratorId: 'semgrep/python.lang.security.sqli',
    AwsAccountId: '123456789012',
    Region: 'eu-west-1',
    Types: ['Software and Configuration Checks'],
    CreatedAt: '2026-01-02T03:04:05.000Z',
    UpdatedAt: '2026-01-02T03:04:05.000Z',
    Severity: { Label: 'MEDIUM' },
    Title: 'SQL injection',
    Description: 'User input reaches a query.',
    Resources: [{ Type: 'Other', Id: 'repo/app/db.py:12', Partition: 'aws', Region: 'eu-west-1' }],
  };
}
