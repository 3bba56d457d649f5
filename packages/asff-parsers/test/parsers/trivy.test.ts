import fc from 'fast-check';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { detectParser } from '../../src/parsers/detect';
import { PARSERS } from '../../src/parsers/registry';
import { MAX_TARGET_CHARS, splitOsTarget, trivyParser } from '../../src/parsers/trivy';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

const FIXTURES = ['legacy-array.json', 'schema2-image.json', 'k8s-cluster.json', 'k8s-cluster-grouped.json'];

describe('trivy parser', () => {
  test('legacy array: one finding per vulnerability per package, unknown severity is INFORMATIONAL', async () => {
    const findings = await convertFixture('trivy', 'legacy-array.json');
    expect(findings.map((f) => f.Title)).toEqual([
      'CVE-2099-0001 in libexample 1.0.0-1: libexample: heap overflow in the frobnicator',
      'CVE-2099-0002 in libother 2.3',
    ]);
    const [high, unknown] = findings;
    expect(high.Severity).toEqual({ Label: 'HIGH', Original: 'HIGH' });
    expect(high.Vulnerabilities![0]).toMatchObject({
      Id: 'CVE-2099-0001',
      FixAvailable: 'YES',
      VulnerablePackages: [{ Name: 'libexample', Version: '1.0.0-1', PackageManager: 'debian', FixedInVersion: '1.0.0-2' }],
      Cvss: [{ Version: '3.1', BaseScore: 7.5, Source: 'nvd' }],
    });
    // The OS target names the image with its tag: it becomes the Container resource.
    expect(high.Resources![0]).toMatchObject({ Type: 'Container', Id: 'registry.example.com/shop/web:1.4.2' });
    expect(unknown.Severity).toEqual({ Label: 'INFORMATIONAL', Original: 'unknown' });
  });

  test('a legacy null report has no findings', async () => {
    await expect(convertFixture('trivy', 'legacy-null.json')).resolves.toEqual([]);
  });

  test('SchemaVersion 2: vulnerabilities per package path, failed misconfigurations per cause, secrets and licenses', async () => {
    const findings = await convertFixture('trivy', 'schema2-image.json');
    const byType = (type: string) => findings.filter((f) => f.Types![0] === type);
    expect(byType('Software and Configuration Checks/Vulnerabilities/CVE')).toHaveLength(3);
    // The same GHSA in two installs of left-pad: two findings, not one Id twice.
    expect(byType('Software and Configuration Checks/Vulnerabilities/Software Package')).toHaveLength(2);
    // Two failing resources of one check are two findings; the PASS result is not a finding.
    const misconfigurations = findings.filter((f) => f.GeneratorId?.startsWith('trivy/AVD-AWS'));
    expect(misconfigurations.map((f) => f.ProductFields!.Resource)).toEqual(['aws_s3_bucket.logs', 'aws_s3_bucket.assets']);
    expect(misconfigurations[0].Remediation?.Recommendation).toEqual({ Text: 'Enable blocking any PUT calls with a public ACL specified', Url: 'https://avd.aquasec.com/misconfig/avd-aws-0086' });
    // The report is of an image: the file is inside the image, not in the repository.
    expect(misconfigurations[0].Resources!.map((r) => r.Id)).toEqual([
      expect.stringMatching(/^registry\.example\.com\/shop\/api@sha256:1{64}$/),
      expect.stringMatching(/@sha256:1{64}:\/deploy\/main\.tf:12$/),
    ]);
    expect(byType('Sensitive Data Identifications/Passwords')).toHaveLength(1);
    const license = findings.find((f) => f.GeneratorId === 'trivy/license/GPL-3.0');
    expect(license?.Title).toBe('License GPL-3.0 (restricted) in gpl-thing');
    expect(findings).toHaveLength(9);
  });

  test('a filesystem or repository scan names repository/path:line', async () => {
    const report = {
      SchemaVersion: 2,
      ArtifactName: '.',
      ArtifactType: 'filesystem',
      Results: [
        {
          Target: 'deploy/main.tf',
          Class: 'config',
          Type: 'terraform',
          Misconfigurations: [
            { ID: 'AVD-AWS-0086', Title: 'S3 public ACL', Severity: 'HIGH', Status: 'FAIL', CauseMetadata: { StartLine: 12, EndLine: 20 } },
          ],
        },
      ],
    };
    const [finding] = await collect(convert({ tool: 'trivy', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(finding.Resources!.map((r) => r.Id)).toEqual(['example-repo/deploy/main.tf:12']);
  });

  test('CVSS from every source and version, severity from the Severity field whatever its case', async () => {
    const findings = await convertFixture('trivy', 'schema2-image.json');
    const critical = findings.find((f) => f.Title!.startsWith('CVE-2099-1000 in libcrypto3'))!;
    expect(critical.Severity).toEqual({ Label: 'CRITICAL', Original: 'Critical' });
    expect(critical.Vulnerabilities![0].Cvss).toEqual([
      { Version: '4.0', BaseScore: 8.7, BaseVector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', Source: 'nvd' },
      { Version: '3.1', BaseScore: 7.5, BaseVector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H', Source: 'nvd' },
      { Version: '3.1', BaseScore: 3.7, BaseVector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:L', Source: 'redhat' },
    ]);
    expect(critical.Resources![0]).toMatchObject({
      Type: 'Container',
      Id: expect.stringMatching(/^registry\.example\.com\/shop\/api@sha256:1{64}$/),
    });
    const wontFix = findings.find((f) => f.Title!.startsWith('CVE-2099-1001'))!;
    expect(wontFix.Vulnerabilities![0].FixAvailable).toBe('NO');
  });

  test('a secret finding carries neither the secret, the matched line nor the code', async () => {
    const findings = await convertFixture('trivy', 'schema2-image.json');
    const secret = findings.find((f) => f.Types!.includes('Sensitive Data Identifications/Passwords'))!;
    expect(secret.Title).toBe('Secret (AWS Secret Access Key) in app/.env:3');
    expect(secret.ProductFields!.MatchFingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
    const everything = JSON.stringify(findings);
    expect(everything).not.toContain('FixtureSecretDoNotLeak');
  });

  test('Kubernetes cluster report: every resource is its own scope, passed resources yield nothing', async () => {
    const findings = await convertFixture('trivy', 'k8s-cluster.json');
    expect(findings).toHaveLength(4);
    const runAsRoot = findings.filter((f) => f.GeneratorId === 'trivy/KSV012');
    expect(runAsRoot.map((f) => f.Resources![0].Id)).toEqual(['k8s://staging-eks/shop/Deployment/web', 'k8s://staging-eks/shop/Deployment/worker']);
    expect(new Set(runAsRoot.map((f) => f.Id)).size).toBe(2);
    const vulnerability = findings.find((f) => f.GeneratorId === 'trivy/CVE-2099-2000')!;
    expect(vulnerability.Resources!.map((r) => r.Type)).toEqual(['Other', 'Container', 'Other']);
    expect(vulnerability.ProductFields).toMatchObject({ Cluster: 'staging-eks', Namespace: 'shop', Kind: 'Deployment', Name: 'web' });
    const clusterRole = findings.find((f) => f.GeneratorId === 'trivy/KSV046')!;
    expect(clusterRole.Resources![0].Id).toBe('k8s://staging-eks/ClusterRole/ops-admin');
    expect(clusterRole.Severity?.Label).toBe('CRITICAL');
  });

  test('the same CVE in the OS packages of two images of one workload is two findings', async () => {
    const osResult = (image: string) => ({
      Target: `${image} (alpine 3.19.1)`,
      Class: 'os-pkgs',
      Type: 'alpine',
      Vulnerabilities: [{ VulnerabilityID: 'CVE-2099-2000', PkgName: 'zlib', InstalledVersion: '1.3-r0', Severity: 'HIGH' }],
    });
    const report = {
      ClusterName: 'c',
      Resources: [
        {
          Namespace: 'shop',
          Kind: 'Deployment',
          Name: 'web',
          Results: [osResult('registry.example.com/shop/web:1.4.2'), osResult('registry.example.com/shop/sidecar:2.0')],
        },
      ],
    };
    const findings = await collect(convert({ tool: 'trivy', input: memorySource(JSON.stringify(report)), context: SCAN }));
    expect(findings.map((f) => f.Resources!.find((r) => r.Type === 'Container')!.Id)).toEqual([
      'registry.example.com/shop/web:1.4.2',
      'registry.example.com/shop/sidecar:2.0',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(2);
  });

  test('the older cluster report grouped by Vulnerabilities and Misconfigurations', async () => {
    const findings = await convertFixture('trivy', 'k8s-cluster-grouped.json');
    expect(findings.map((f) => f.GeneratorId)).toEqual(['trivy/CVE-2099-3000', 'trivy/KSV001']);
    for (const f of findings) expect(f.Resources![0].Id).toBe('k8s://dev-cluster/default/Pod/api-7f9c');
  });

  test('an OS finding keeps its Id when the image tag and OS patch release change', async () => {
    const report = (tag: string, os: string) =>
      JSON.stringify([{
        Target: `registry.example.com/shop/web:${tag} (debian ${os})`,
        Type: 'debian',
        Vulnerabilities: [{ VulnerabilityID: 'CVE-2099-0001', PkgName: 'libexample', InstalledVersion: '1.0.0-1', Severity: 'HIGH' }],
      }]);
    const [before] = await collect(convert({ tool: 'trivy', input: memorySource(report('1.4.2', '10.4')), context: SCAN }));
    const [after] = await collect(
      convert({ tool: 'trivy', input: memorySource(report('1.4.3', '10.5')), context: { ...SCAN, commit: 'f'.repeat(40), buildId: 'build:2' } }),
    );
    expect(after.Id).toBe(before.Id);
  });

  test('property: one finding per distinct (vulnerability, package, version, path), unique Ids, stable across builds', async () => {
    const vulnerability = fc.record({
      VulnerabilityID: fc.constantFrom('CVE-2099-1', 'CVE-2099-2', 'GHSA-xxxx-yyyy-zzzz'),
      PkgName: fc.constantFrom('a', 'b'),
      InstalledVersion: fc.constantFrom('1.0', '2.0'),
      PkgPath: fc.option(fc.constantFrom('x/package.json', 'y/package.json'), { nil: undefined }),
      Severity: fc.constantFrom('LOW', 'high', 'Critical', 'UNKNOWN'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(vulnerability, { maxLength: 30 }), async (vulnerabilities) => {
        const report = JSON.stringify({
          SchemaVersion: 2,
          ArtifactName: '.',
          ArtifactType: 'filesystem',
          Results: [{ Target: 'package-lock.json', Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: vulnerabilities }],
        });
        const findings = await collect(convert({ tool: 'trivy', input: memorySource(report), context: SCAN }));
        const distinct = new Set(vulnerabilities.map((v) => JSON.stringify([v.VulnerabilityID, v.PkgName, v.InstalledVersion, v.PkgPath ?? null])));
        expect(findings).toHaveLength(distinct.size);
        expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
        const next = await collect(
          convert({
            tool: 'trivy',
            input: memorySource(report),
            context: { ...SCAN, commit: 'f'.repeat(40), buildId: 'build:9', now: new Date('2027-01-01T00:00:00Z') },
          }),
        );
        expect(next.map((f) => f.Id)).toEqual(findings.map((f) => f.Id));
      }),
      { numRuns: 40 },
    );
  });

  test('every finding is valid and no two share an Id', async () => {
    for (const name of FIXTURES) {
      const findings = await convertFixture('trivy', name);
      for (const f of findings) expect(validateFinding(f)).toEqual([]);
      expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
    }
  });

  test('auto-detection picks trivy for every variant', () => {
    for (const name of FIXTURES) expect(detectParser({ text: fixtureText('trivy', name), complete: true }, PARSERS).id).toBe('trivy');
    expect(trivyParser.detect({ text: '{"matches":[]}', complete: true })).toBeUndefined();
  });

  test('an empty legacy report is recognised only by a file name that names trivy', async () => {
    expect(detectParser({ text: 'null', fileName: 'trivy-image.json', complete: true }, PARSERS).id).toBe('trivy');
    expect(() => detectParser({ text: 'null', fileName: 'report.json', complete: true }, PARSERS)).toThrow('unrecognised report');
    await expect(collect(convert({ tool: 'trivy', input: memorySource('[]'), context: SCAN }))).resolves.toEqual([]);
  });

  test('refuses another tool\'s report', async () => {
    await expect(collect(convert({ tool: 'trivy', input: memorySource('{"matches":[]}'), context: SCAN, fileName: 'grype.json' })))
      .rejects.toThrow(ReportError);
    await expect(collect(convert({
      tool: 'trivy',
      input: memorySource('{"SchemaVersion": 2, "Results": [{"Target": "x", "Vulnerabilities": [{"PkgName": "a"}]}]}'),
      context: SCAN,
      fileName: 'bad.json',
    }))).rejects.toThrow('bad.json: not a Trivy report: a vulnerability has no VulnerabilityID');
  });

  describe('adversarial targets', () => {
    const reportWith = (target: string, findings: number) =>
      JSON.stringify({
        SchemaVersion: 2,
        ArtifactName: 'x',
        Results: [{
          Target: target,
          Class: 'lang-pkgs',
          Type: 'npm',
          Vulnerabilities: Array.from({ length: findings }, (_, i) => ({
            VulnerabilityID: `CVE-2099-${1000 + i}`, PkgName: 'p', InstalledVersion: '1', Severity: 'HIGH',
          })),
        }],
      });
    const convertReport = (report: string) => collect(convert({ tool: 'trivy', input: memorySource(report), context: SCAN }));

    // `image:tag (os version)` was recognised with a regex that rescanned the
    // rest of the target at every ` (`: a 25 KB target with 100 findings took 40 s.
    test('time grows linearly with a target full of " (" that never closes', async () => {
      const growth = await measureGrowth((n) => convertReport(reportWith(' (a '.repeat(n / 4), 1)), 2_560);
      expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
    });

    // The target is part of every finding of its result: hashed and copied per
    // finding, a long target made time grow with target length times findings.
    test('time grows linearly with a report whose target and findings grow together', async () => {
      const growth = await measureGrowth((n) => convertReport(reportWith('a'.repeat(n), n / 1000)), 20_000);
      expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
    });

    test('two long targets that differ only at the end stay apart', async () => {
      const [a] = await convertReport(reportWith(`${'a'.repeat(MAX_TARGET_CHARS * 2)}1`, 1));
      const [b] = await convertReport(reportWith(`${'a'.repeat(MAX_TARGET_CHARS * 2)}2`, 1));
      expect(a.Id).not.toBe(b.Id);
      expect(a.ProductFields?.Target?.length).toBeLessThanOrEqual(MAX_TARGET_CHARS);
    });

    test('the OS target split agrees with the regex it replaces on short targets', () => {
      const regex = /^(.*?)\s\(([a-z][\w-]*)\s[^)]*\)$/i;
      const alphabet = fc.constantFrom(' ', '(', ')', 'a', 'Z', '1', '-', '_', ':', '.', '\n', '\u2028', '\t', '\u00a0');
      fc.assert(
        fc.property(fc.array(alphabet, { maxLength: 24 }), (chars) => {
          const target = chars.join('');
          const expected = regex.exec(target);
          expect(splitOsTarget(target)).toEqual(expected === null ? undefined : { image: expected[1], family: expected[2] });
        }),
        { numRuns: 20_000 },
      );
    });

    test.each([
      ['registry.example.com/shop/web:1.4 (alpine 3.19.1)', 'registry.example.com/shop/web:1.4'],
      ['web:1 (x) (debian 12)', 'web:1 (x)'],
      ['web:1 (debian 12) (x)', undefined],
      ['web:1 (debian)', undefined],
      ['web:1(debian 12)', undefined],
      ['app/package-lock.json', undefined],
    ])('target %s names image %s', async (target, image) => {
      const [finding] = await convertReport(reportWith(target, 1));
      const container = finding.Resources!.find((r) => r.Type === 'Container');
      expect(container?.Id).toBe(image);
    });
  });
});
