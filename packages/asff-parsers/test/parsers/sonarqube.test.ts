import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { sonarqubeParser } from '../../src/parsers/sonarqube';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('sonarqube parser', () => {
  test('Web API issues page: one finding per issue, severities in SonarQube order, a verbatim repeat once', async () => {
    const findings = await convertFixture('sonarqube', 'api-issues.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}/${f.Severity!.Original}`)).toEqual([
      'Change this code to not construct SQL queries directly from user-controlled data. in src/main/java/shop/Orders.java:42 | CRITICAL/BLOCKER',
      'CVE-2026-7000 in fixture-lib-1.2.3.jar | MEDIUM/MAJOR',
      'A "NullPointerException" could be thrown. in src/main/java/shop/Cart.java:7 | MEDIUM/MAJOR',
      'Remove this unused "total" local variable. in src/main/java/shop/Cart.java:12 | LOW/MINOR',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(4);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
    const [sql, dependency, bug, smell] = findings;
    expect(sql.Resources![0].Id).toBe('example-repo/src/main/java/shop/Orders.java:42');
    expect(sql.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Code']);
    expect(sql.FirstObservedAt).toBe('2026-02-01T09:00:00.000Z');
    expect(sql.LastObservedAt).toBe('2026-02-02T08:00:00.000Z');
    expect(dependency.Vulnerabilities!.map((v) => v.Id)).toEqual(['CVE-2026-7000']);
    expect(dependency.ProductFields).toMatchObject({ CWE: 'CWE-120', IssueKey: 'AX-fixture-0002' });
    expect(dependency.Resources![0].Id).toBe('shop-api');
    expect(bug.Types).toEqual(['Software and Configuration Checks/Code Quality/Bug']);
    expect(bug.RecordState).toBe('ARCHIVED');
    expect(smell.ProductFields!.Suppressed).toBe('marked as a false positive in SonarQube');
  });

  test('Web API hotspots page: rated by vulnerabilityProbability, reviewed-safe ones suppressed', async () => {
    const findings = await convertFixture('sonarqube', 'api-hotspots.json');
    expect(findings.map((f) => `${f.GeneratorId} ${f.Severity!.Label} ${f.ProductFields!.Suppressed ?? '-'}`)).toEqual([
      'sonarqube/java:S4792 LOW -',
      'sonarqube/java:S4502 HIGH security hotspot reviewed as safe in SonarQube',
    ]);
    expect(findings[0].ProductFields!.IssueType).toBe('SECURITY_HOTSPOT');
  });

  test('sonar-report JSON: rule names and descriptions from rules{}, a link into SonarQube', async () => {
    const findings = await convertFixture('sonarqube', 'sonar-report.json');
    expect(findings.map((f) => `${f.Title} | ${f.Severity!.Label}`)).toEqual([
      'Disabling CSRF protections is security-sensitive in app/views.py:8 | HIGH',
      'Disabling CSRF protections is security-sensitive in app/api.py:30 | HIGH',
    ]);
    expect(findings[0].Description).toContain('A cross-site request forgery (CSRF) attack occurs');
    expect(findings[0].SourceUrl).toBe('https://sonar.example.com/project/issues?open=AZ-fixture-0001&id=shop-web');
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('an empty page has no findings; JSON without issues or hotspots is refused', async () => {
    await expect(
      collect(convert({ tool: 'sonarqube', input: memorySource('{"paging":{"total":0},"issues":[],"components":[]}'), context: SCAN })),
    ).resolves.toEqual([]);
    await expect(collect(convert({ tool: 'sonarqube', input: memorySource('{"paging":{}}'), context: SCAN, fileName: 's.json' })))
      .rejects.toThrow('s.json: not the expected report');
  });

  test('recognises the API pages and sonar-report', () => {
    for (const name of ['api-issues.json', 'api-hotspots.json', 'sonar-report.json']) {
      expect(sonarqubeParser.detect({ text: fixtureText('sonarqube', name), complete: true })).toBeGreaterThanOrEqual(0.9);
    }
    expect(sonarqubeParser.detect({ text: '{"issues":[]}', complete: true })).toBeUndefined();
  });
});
