import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { checkFacts, isCheckedFact, parseFacts, type FactRow } from '../../../src/cli/commands/conformance-facts';

const finding: AwsSecurityFinding = {
  Title: 'Secret (Github) committed in conf/app.py:12',
  Severity: { Label: 'HIGH', Original: 'unrated' },
  Vulnerabilities: [{ Id: 'CVE-2026-0001', Cvss: [{ BaseVector: 'AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }] }],
  ProductFields: { CWE: 'CWE-798', Line: '12', Suppressed: 'audited' },
} as unknown as AwsSecurityFinding;

function fact(field: string, value: string, index = '0'): FactRow {
  return { folder: 'f', file: 'r.json', index, field, value };
}

describe('conformance facts', () => {
  test('parses facts.tsv by its header; a file without the columns has no facts', () => {
    expect(parseFacts('file\ttool\tindex\tfield\tvalue\nr.json\tf\t0\tdd:title\tT\n')).toEqual([fact('dd:title', 'T')]);
    expect(parseFacts('tool\tfile\n')).toEqual([]);
  });

  test('checks severities, carried values and settled flags; raw report paths and false flags are not checked', () => {
    expect(isCheckedFact(fact('raw:issues[0].rule', 'x'))).toBe(false);
    expect(isCheckedFact(fact('dd:false_p', 'False'))).toBe(false);
    expect(isCheckedFact(fact('dd:false_p', 'True'))).toBe(true);
    expect(isCheckedFact(fact('dd:description', 'x'))).toBe(false);
  });

  test.each([
    ['dd:severity', 'High', true],
    ['dd:severity', 'Info', false],
    ['dd:cwe', '798', true],
    ['dd:cwe', '79', false],
    ['dd:line', '12', true],
    ['dd:line', '1', false],
    // DefectDojo prefixes a bare vector with its version: the metrics are the fact.
    ['dd:cvssv3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', true],
    ['dd:cve', 'CVE-2026-0001', true],
    ['dd:cve', 'CVE-2026-0002', false],
    // A title needs half of its words: DefectDojo's glue ("Hard coded ... found in") is its own wording.
    ['dd:title', 'Hard coded Github found in conf/app.py', true],
    ['dd:title', 'Hard Coded Token', false],
    ['dd:false_p', 'True', true],
  ])('%s %s holds: %s', (field, value, holds) => {
    expect(checkFacts([fact(field, value)], [finding]).misses).toHaveLength(holds ? 0 : 1);
  });

  test('the facts of one index are matched against the finding that satisfies most of them', () => {
    const other = { ...finding, Title: 'Another', Severity: { Label: 'LOW', Original: 'low' } } as unknown as AwsSecurityFinding;
    expect(checkFacts([fact('dd:title', 'Another'), fact('dd:severity', 'Low')], [finding, other])).toEqual({ checked: 2, misses: [] });
    expect(checkFacts([fact('dd:title', 'Another'), fact('dd:severity', 'High')], [finding, other]).misses).toEqual([
      "#0 title 'Another' not carried",
    ]);
    expect(checkFacts([fact('dd:severity', 'High')], []).misses).toEqual(['#0 severity High (no finding)']);
  });
});
