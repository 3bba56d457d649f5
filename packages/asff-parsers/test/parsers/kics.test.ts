import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { kicsParser } from '../../src/parsers/kics';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('kics parser', () => {
  test('one finding per query per file entry; a verbatim repeat counts once', async () => {
    const findings = await convertFixture('kics', 'report.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}/${f.Severity!.Original}`)).toEqual([
      'Secret Management: Passwords And Secrets - Generic Password | HIGH/HIGH',
      'Access Control: RBAC Wildcard In Rule | LOW/Low',
      // Two entries of one query at one line and search key differ by what KICS expected there.
      'Access Control: RBAC Wildcard In Rule | LOW/Low',
      'Build Process: Container Running As Root | INFORMATIONAL/TRACE',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(4);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
    expect(findings[1].Resources![0].Id).toBe('example-repo/k8s/rbac.yaml:20');
    expect(findings[1].ProductFields).toMatchObject({
      QueryId: '00000000-0000-4000-8000-000000000002',
      Platform: 'Kubernetes',
      File: 'k8s/rbac.yaml',
      Line: '20',
    });
    expect(findings[0].Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(findings[1].Types).toEqual(['Software and Configuration Checks/Industry and Regulatory Standards']);
  });

  test("a secret query's value never appears in the finding", async () => {
    const findings = await convertFixture('kics', 'report.json');
    expect(JSON.stringify(findings)).not.toContain('fixtureDbPasswordDoNotUse');
    expect(findings[0].ProductFields!.CWE).toBe('CWE-798');
  });

  test('a report without queries has no findings; a report without a queries list is refused', async () => {
    await expect(convertFixture('kics', 'no-findings.json')).resolves.toEqual([]);
    await expect(collect(convert({ tool: 'kics', input: memorySource('{"results":[]}'), context: SCAN, fileName: 'k.json' })))
      .rejects.toThrow('k.json: not the expected report');
  });

  test('an unknown severity is rated MEDIUM, keeping the raw value', async () => {
    const report = { queries: [{ query_id: 'q', query_name: 'n', severity: 'SEVERE', files: [{ file_name: 'a.tf', line: 1 }] }] };
    const [finding] = await collect(convert({ tool: 'kics', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(finding.Severity).toEqual({ Label: 'MEDIUM', Original: 'SEVERE' });
  });

  test('recognises a KICS report', () => {
    expect(kicsParser.detect({ text: fixtureText('kics', 'report.json'), complete: true })).toBe(0.95);
    expect(kicsParser.detect({ text: '{"queries":[]}', complete: true })).toBeUndefined();
  });
});
