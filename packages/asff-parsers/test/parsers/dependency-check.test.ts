import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { dependencyCheckParser } from '../../src/parsers/dependency-check';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

describe('dependency-check parser', () => {
  test('schema 2.x: one finding per vulnerability per dependency, suppressed ones imported as suppressed', async () => {
    const findings = await convertFixture('dependency-check', 'schema-2.5.xml');
    expect(findings.map((f) => `${f.Title} ${f.ProductFields!.Suppressed ?? ''}`.trim())).toEqual([
      'CVE-2099-8000 in com.fasterxml.jackson.core:jackson-databind 2.9.8',
      'sonatype-2099-0001 in com.fasterxml.jackson.core:jackson-databind 2.9.8',
      'CVE-2099-8001 in com.fasterxml.jackson.core:jackson-databind 2.9.8 Not reachable: we never deserialise untrusted input with this mapper.',
      'GHSA-0000-1111-2222 in lodash 4.17.15',
      'GHSA-3333-4444-5555 in lodash 4.17.15 suppressed in the Dependency-Check suppression file',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(5);
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('severity from the report text in any case, CVSS v3 and v2, fixed version from the CPE range', async () => {
    const [critical, medium, , moderate] = await convertFixture('dependency-check', 'schema-2.5.xml');
    expect(critical.Severity).toEqual({ Label: 'CRITICAL', Original: 'CRITICAL' });
    expect(critical.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2099-8000',
      Cvss: [
        { Version: '3.1', BaseScore: 9.8, Source: 'NVD' },
        { Version: '2.0', BaseScore: 7.5, Source: 'NVD' },
      ],
      FixAvailable: 'YES',
      VulnerablePackages: [{
        Name: 'com.fasterxml.jackson.core:jackson-databind',
        Version: '2.9.8',
        PackageManager: 'maven',
        FilePath: '/src/target/lib/jackson-databind-2.9.8.jar',
        FixedInVersion: '2.9.10.8',
      }],
    });
    expect(critical.Description).toContain('jackson-databind mishandles polymorphic typing & gadgets.');
    // Related dependencies (the same jar elsewhere) are named, not counted again.
    expect(critical.Description).toContain('/src/module-b/target/lib/jackson-databind-2.9.8.jar');
    expect(critical.ProductFields).toMatchObject({ Project: 'shop-backend', CWE: 'CWE-502' });
    expect(medium.Severity).toEqual({ Label: 'MEDIUM', Original: 'Medium' });
    expect(medium.Types).toEqual(['Software and Configuration Checks/Vulnerabilities/Software Package']);
    expect(moderate.Severity).toEqual({ Label: 'MEDIUM', Original: 'moderate' });
  });

  test('schema 1.x: Maven identifiers, cvssScore, and a missing severity rated from the score', async () => {
    const findings = await convertFixture('dependency-check', 'schema-1.3.xml');
    expect(findings.map((f) => f.Title)).toEqual([
      'CVE-2099-9000 in org.apache.struts:struts2-core 2.3.20',
      'CVE-2099-9001 in org.apache.struts:struts2-core 2.3.20',
      'CVE-2099-9002 in log4j:log4j 1.2.17',
    ]);
    const [struts, , log4j] = findings;
    expect(struts.Severity).toEqual({ Label: 'HIGH', Original: 'High' });
    expect(struts.Vulnerabilities![0].Cvss).toEqual([{ Version: '2.0', BaseScore: 10, Source: 'NVD' }]);
    expect(struts.ProductFields!.CWE).toBe('CWE-20 Improper Input Validation');
    expect(log4j.Severity).toEqual({ Label: 'CRITICAL', Original: 'CVSS 9.8' });
    for (const f of findings) expect(validateFinding(f)).toEqual([]);
  });

  test('an Id does not depend on the build directory the jar was found in', async () => {
    const report = (dir: string) =>
      `<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"><dependencies><dependency><fileName>a.jar</fileName><filePath>${dir}/a.jar</filePath><sha1>1111</sha1><identifiers><package><id>pkg:maven/g/a@1</id></package></identifiers><vulnerabilities><vulnerability><name>CVE-2099-1</name><severity>LOW</severity></vulnerability></vulnerabilities></dependency></dependencies></analysis>`;
    const [first] = await collect(convert({ tool: 'dependency-check', input: memorySource(report('/codebuild/output/src111/src')), context: SCAN }));
    const [second] = await collect(convert({ tool: 'dependency-check', input: memorySource(report('/codebuild/output/src222/src')), context: SCAN }));
    expect(second.Id).toBe(first.Id);
  });

  test('an UNKNOWN severity text falls through to the CVSS rating', async () => {
    const report = '<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"><dependencies><dependency><fileName>a.jar</fileName><vulnerabilities><vulnerability source="OSSINDEX"><name>CVE-2099-2</name><severity>UNKNOWN</severity><cvssV3><baseScore>9.1</baseScore><baseSeverity>CRITICAL</baseSeverity></cvssV3></vulnerability></vulnerabilities></dependency></dependencies></analysis>';
    const [finding] = await collect(convert({ tool: 'dependency-check', input: memorySource(report), context: SCAN }));
    expect(finding.Severity).toEqual({ Label: 'CRITICAL', Original: 'CRITICAL' });
  });

  test('the same package in two manifests is two findings; a dependency listed twice is one', async () => {
    const dependency = (manifest: string) =>
      '<dependency isVirtual="true"><fileName>package-lock.json?lodash</fileName>'
        + `<filePath>/src/${manifest}/package-lock.json?lodash</filePath>`
        + '<identifiers><package><id>pkg:npm/lodash@4.17.15</id></package></identifiers>'
        + '<vulnerabilities><vulnerability><name>GHSA-0000-1111-2222</name><severity>HIGH</severity></vulnerability></vulnerabilities>'
        + '</dependency>';
    const report = `<analysis xmlns="https://jeremylong.github.io/DependencyCheck/dependency-check.2.5.xsd"><dependencies>${dependency('web')}${dependency('admin')}${dependency('admin')}</dependencies></analysis>`;
    const findings = await collect(convert({ tool: 'dependency-check', input: memorySource(report), context: SCAN }));
    expect(findings.map((f) => f.Vulnerabilities![0].VulnerablePackages![0].FilePath)).toEqual([
      '/src/web/package-lock.json?lodash',
      '/src/admin/package-lock.json?lodash',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(2);
  });

  test('dependencies without vulnerabilities yield nothing', async () => {
    await expect(convertFixture('dependency-check', 'no-vulnerabilities.xml')).resolves.toEqual([]);
  });

  test('auto-detection picks dependency-check for both schemas', () => {
    for (const name of ['schema-2.5.xml', 'schema-1.3.xml', 'no-vulnerabilities.xml']) {
      expect(detectParser({ text: fixtureText('dependency-check', name), complete: true }, PARSERS).id).toBe('dependency-check');
    }
    expect(dependencyCheckParser.detect({ text: '<OWASPZAPReport version="2.11"/>', complete: true })).toBeUndefined();
  });

  test('refuses another XML report and malformed XML', async () => {
    await expect(
      collect(convert({ tool: 'dependency-check', input: memorySource('<OWASPZAPReport></OWASPZAPReport>'), context: SCAN, fileName: 'zap.xml' })),
    ).rejects.toThrow('zap.xml: not the expected report: root element <OWASPZAPReport>');
    await expect(
      collect(convert({ tool: 'dependency-check', input: memorySource('<analysis><dependencies><dependency>'), context: SCAN, fileName: 'cut.xml' })),
    ).rejects.toThrow('cut.xml:');
  });
});
