import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { detectSecretsParser } from '../../src/parsers/detect-secrets';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

const HASHES = ['0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c', '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d', 'ffeeddccbbaa99887766554433221100ffeeddcc'];

describe('detect-secrets parser', () => {
  test('one finding per secret per file and line; a verbatim repeat counts once', async () => {
    const findings = await convertFixture('detect-secrets', 'baseline.json');
    expect(findings.map((f) => f.Title)).toEqual([
      'Secret (Secret Keyword) committed in config/settings.py:12',
      'Secret (Basic Auth Credentials) committed in config/settings.py:30',
      // Windows separators are normalised, so the Id is the same on every build host.
      'Secret (Secret Keyword) committed in deploy/values.yaml:4',
    ]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(3);
    for (const f of findings) {
      expect(f.Severity).toEqual({ Label: 'HIGH', Original: 'unrated' });
      expect(f.Types).toEqual(['Sensitive Data Identifications/Passwords']);
      expect(validateFinding(f)).toEqual([]);
    }
    expect(findings[0].Resources![0].Id).toBe('example-repo/config/settings.py:12');
    expect(findings[1].ProductFields).toMatchObject({ Verified: 'true', AuditedAsSecret: 'true', File: 'config/settings.py', Line: '30' });
    expect(findings[1].Description).toContain('verified that the secret is live');
  });

  test('a secret audited as not a secret is imported suppressed', async () => {
    const findings = await convertFixture('detect-secrets', 'baseline.json');
    const audited = findings.find((f) => f.ProductFields?.File === 'deploy/values.yaml')!;
    expect(audited.ProductFields!.Suppressed).toBe('audited as not a secret (detect-secrets audit: is_secret false)');
    expect(findings.filter((f) => f.ProductFields!.Suppressed !== undefined)).toHaveLength(1);
  });

  test('the hashed secret never appears; the fingerprint of the hash tells secrets apart', async () => {
    const findings = await convertFixture('detect-secrets', 'baseline.json');
    const everything = JSON.stringify(findings);
    for (const hash of HASHES) expect(everything).not.toContain(hash);
    expect(new Set(findings.map((f) => f.ProductFields!.SecretFingerprint)).size).toBe(3);
    expect(findings[0].ProductFields!.SecretFingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
  });

  test('a clean scan (results {}) has no findings; a report without detect-secrets keys is refused', async () => {
    await expect(convertFixture('detect-secrets', 'clean.json')).resolves.toEqual([]);
    const other = convert({ tool: 'detect-secrets', input: memorySource('{"results":[{"x":1}],"version":"1"}'), context: SCAN, fileName: 'r.json' });
    await expect(collect(other)).rejects.toThrow('r.json: not a detect-secrets report');
  });

  test('results beyond the first 64 KiB (a long plugin list) are still read', async () => {
    const plugins = Array.from({ length: 3000 }, (_, i) => ({ name: `CustomDetector${i}`, path: `file:///plugins/custom_${i}.py` }));
    const secret = { type: 'Secret Keyword', filename: 'a.py', hashed_secret: 'ab'.repeat(20), is_verified: false, line_number: 1 };
    const report = JSON.stringify({ version: '1.4.0', plugins_used: plugins, filters_used: [], results: { 'a.py': [secret] } });
    expect(report.indexOf('"results"')).toBeGreaterThan(64 * 1024);
    await expect(collect(convert({ tool: 'detect-secrets', input: memorySource(report), context: SCAN }))).resolves.toHaveLength(1);
  });

  test('recognises a baseline and not another tool with a results list', () => {
    expect(detectSecretsParser.detect({ text: fixtureText('detect-secrets', 'clean.json'), complete: true })).toBeGreaterThan(0.9);
    expect(detectSecretsParser.detect({ text: '{"results":[{"test_id":"B101"}],"metrics":{}}', complete: true })).toBeUndefined();
  });
});
