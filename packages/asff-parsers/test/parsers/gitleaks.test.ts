import fc from 'fast-check';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { ReportError } from '../../src/errors';
import { detectParser } from '../../src/parsers/detect';
import { gitleaksParser } from '../../src/parsers/gitleaks';
import { PARSERS } from '../../src/parsers/registry';
import { memorySource } from '../../src/streams/report-source';
import { collect, convertFixture, fixtureText, SCAN } from '../support/convert-helpers';

const FIXTURE_SECRETS = [
  'fixtureLeakAlphaDoNotPublish01',
  'AKIAFIXTUREDONOTUSE7',
  'AKIAFIXTUREDONOTUSE8',
  'fixtureLeakGammaDoNotPublish03',
  'AKIAFIXTUREDONOTUSE9',
  'fixtureLeakDeltaDoNotPublish04',
  'fixtureLeakEpsilonDoNotPublish05',
];

describe('gitleaks parser', () => {
  test('v7 history scan: the same leak in two commits is one finding listing both commits', async () => {
    const findings = await convertFixture('gitleaks', 'v7-history.json');
    expect(findings).toHaveLength(3);
    const token = findings.find((f) => f.GeneratorId === 'gitleaks/Generic Credential')!;
    expect(token.Title).toBe('Secret (Generic Credential) committed in scripts/deploy.sh:4');
    expect(token.ProductFields).toMatchObject({
      Occurrences: '2',
      Commits: `${'a'.repeat(40)}, ${'b'.repeat(40)}`,
      File: 'scripts/deploy.sh',
      Line: '4',
    });
    expect(token.FirstObservedAt).toBe('2026-10-01T10:00:00+02:00');
    expect(token.LastObservedAt).toBe('2026-10-02T10:00:00+02:00');
    // A rotated key at the same line is a different secret: its own finding.
    expect(findings.filter((f) => f.GeneratorId === 'gitleaks/AWS Access Key')).toHaveLength(2);
    expect(token.Severity).toEqual({ Label: 'HIGH', Original: 'unrated' });
    expect(token.Types).toEqual(['Sensitive Data Identifications/Passwords']);
    expect(token.Resources![0].Id).toBe('example-repo/scripts/deploy.sh:4');
  });

  test('v8: merged across commits, two secrets on one line stay two findings', async () => {
    const findings = await convertFixture('gitleaks', 'v8.json');
    expect(findings.map((f) => f.Title)).toEqual([
      'Secret (AWS Access Key) committed in infra/provider.tf:7',
      'Secret (Generic API Key) committed in tests/api.py:21',
      'Secret (Generic API Key) committed in tests/api.py:21',
    ]);
    expect(findings[0].ProductFields!.Occurrences).toBe('2');
    expect(new Set(findings.map((f) => f.ProductFields!.SecretFingerprint)).size).toBe(3);
  });

  test('no secret value, offending line or match appears anywhere in any finding', async () => {
    const everything = JSON.stringify(
      await Promise.all(['v7-history.json', 'v7-no-line-number.json', 'v8.json'].map((name) => convertFixture('gitleaks', name))),
    );
    for (const secret of FIXTURE_SECRETS) expect(everything).not.toContain(secret);
    // The v7 commit message quoted the secret: it is replaced by the fingerprint, not dropped silently.
    expect(everything).not.toContain('add deploy script with fixture');
  });

  test('redacts any secret wherever the report repeats it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9+/]{12,40}$/), fc.constantFrom('v7', 'v8'), async (secret, version) => {
        const entry =
          version === 'v8'
            ? {
              RuleID: 'generic-api-key',
              Description: `key ${secret}`,
              Secret: secret,
              Match: `token=${secret}`,
              File: `cfg/${secret}.ini`,
              StartLine: 1,
              Commit: 'c'.repeat(40),
              Message: `oops ${secret}`,
              Tags: [secret],
            }
            : {
              rule: 'Generic',
              offender: secret,
              line: `token=${secret}`,
              file: 'cfg/app.ini',
              lineNumber: 1,
              commit: 'c'.repeat(40),
              commitMessage: `oops ${secret}`,
              tags: secret,
            };
        const findings = await collect(convert({ tool: 'gitleaks', input: memorySource(JSON.stringify([entry])), context: SCAN }));
        expect(findings).toHaveLength(1);
        expect(JSON.stringify(findings)).not.toContain(secret);
        expect(validateFinding(findings[0])).toEqual([]);
      }),
      { numRuns: 50 },
    );
  });

  test('a report written with --redact: two secrets on one line told apart by column', async () => {
    const leak = (column: number) => ({
      RuleID: 'generic-api-key',
      Description: 'Generic API Key',
      Secret: 'REDACTED',
      Match: 'REDACTED',
      File: 'a.py',
      StartLine: 3,
      StartColumn: column,
      Commit: 'c'.repeat(40),
    });
    const findings = await collect(convert({ tool: 'gitleaks', input: memorySource(JSON.stringify([leak(5), leak(40), leak(5)])), context: SCAN }));
    expect(findings).toHaveLength(2);
    expect(findings[0].Description).not.toContain('[REDACTED sha256:');
  });

  test('a leak keeps its Id from build to build', async () => {
    const first = await convertFixture('gitleaks', 'v8.json');
    const second = await convertFixture('gitleaks', 'v8.json', {
      context: { commit: 'e'.repeat(40), buildId: 'build:2', now: new Date('2026-02-01T00:00:00Z') },
    });
    expect(second.map((f) => f.Id)).toEqual(first.map((f) => f.Id));
  });

  test('an empty report (null or []) has no findings', async () => {
    await expect(convertFixture('gitleaks', 'empty-null.json')).resolves.toEqual([]);
    await expect(convertFixture('gitleaks', 'empty-array.json')).resolves.toEqual([]);
  });

  test('every finding is valid, Ids are unique, and auto-detection picks gitleaks', async () => {
    for (const name of ['v7-history.json', 'v7-no-line-number.json', 'v8.json']) {
      const findings = await convertFixture('gitleaks', name);
      for (const f of findings) expect(validateFinding(f)).toEqual([]);
      expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
      expect(detectParser({ text: fixtureText('gitleaks', name), complete: true }, PARSERS).id).toBe('gitleaks');
    }
    expect(gitleaksParser.detect({ text: '[{"line": 1, "code": "DL3008", "level": "info"}]', complete: true })).toBeUndefined();
  });

  test('an empty report is recognised only by a file name that names gitleaks', () => {
    expect(detectParser({ text: 'null\n', fileName: 'reports/gitleaks-report.json', complete: true }, PARSERS).id).toBe('gitleaks');
    expect(detectParser({ text: '[]', fileName: 'gitleaks.json', complete: true }, PARSERS).id).toBe('gitleaks');
    expect(() => detectParser({ text: 'null', fileName: 'gitleaks/report.json', complete: true }, PARSERS)).toThrow('unrecognised report');
  });

  test('refuses an array of something else', async () => {
    await expect(
      collect(convert({ tool: 'gitleaks', input: memorySource('[{"code":"DL3008","line":1}]'), context: SCAN, fileName: 'hadolint.json' })),
    ).rejects.toThrow(ReportError);
    await expect(collect(convert({
      tool: 'gitleaks', input: memorySource('[{"code":"DL3008","line":1}]'), context: SCAN, fileName: 'hadolint.json',
    }))).rejects.toThrow('hadolint.json: not a gitleaks report: a leak has no rule or no secret');
    await expect(collect(convert({ tool: 'gitleaks', input: memorySource('{"leaks":[]}'), context: SCAN, fileName: 'object.json' })))
      .rejects.toThrow('object.json: not a gitleaks report: expected a top-level array of leaks (or null)');
  });
});
