import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { parsePolicy } from '../../src/policy/parse-policy';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

export const NOW = new Date('2026-06-01T00:00:00Z');

export const POLICY = parsePolicy(
  [
    'version: 1',
    'stages:',
    '  build: HIGH',
    '  audit: NONE',
    'suppressions:',
    '  - rule: CVE-2024-0002',
    '    reason: not reachable',
    '    expires: 2027-01-01',
    '  - id: expired-one',
    '    reason: was accepted',
    '    expires: 2026-01-01',
  ].join('\n'),
  'policy.yml',
);

/** A small report: one of each case the gate distinguishes. */
export function gateFindings(): AwsSecurityFinding[] {
  return [
    sampleFinding('critical', {
      Severity: { Label: 'CRITICAL' },
      Title: 'CVE-2024-0001 in lodash 4.17.0',
      ProductFields: { RuleId: 'CVE-2024-0001' },
    }),
    sampleFinding('medium', {
      Severity: { Label: 'MEDIUM' },
      Title: 'Weak hash',
      Resources: [{ Type: 'Other', Id: 'shop/src/a.ts:7', Details: { Other: { file: 'src/a.ts', line: '7' } } }],
    }),
    sampleFinding('suppressed', { Severity: { Label: 'HIGH' }, Vulnerabilities: [{ Id: 'CVE-2024-0002' }] }),
    sampleFinding('triaged', { Severity: { Label: 'CRITICAL' }, Workflow: { Status: 'SUPPRESSED' } }),
    sampleFinding('tool-ignored', { Severity: { Label: 'HIGH' }, ProductFields: { Suppressed: 'snyk ignore: no fix', SuppressionKind: 'external' } }),
    sampleFinding('archived', { Severity: { Label: 'CRITICAL' }, RecordState: 'ARCHIVED' }),
    sampleFinding('expired-one', { Severity: { Label: 'HIGH' }, Title: 'Expired <suppression> & "quotes"' }),
  ];
}
