import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { run } from '../../../src/cli/main';

const SBOM = join(__dirname, '..', '..', 'licenses', 'fixtures', 'trivy-image.cdx.json');

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function asff(args: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await run(args, { stdout: stdout.stream, stderr: stderr.stream, stdin: new PassThrough() });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('asff licenses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'licenses-'));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const factory = file('factory.yml', 'version: 1\ndefault: HIGH\nlicenses:\n  deny: [AGPL-3.0-only]\n  unlicensed: pass\n');
  afterAll(() => {
    process.exitCode = 0;
  });

  test('writes the licence report and prints one line with the verdict', async () => {
    const output = join(dir, 'report.json');
    const result = await asff(['licenses', '--sbom', SBOM, '--policy', factory, '--stage', 'image', '--output', output]);
    expect(result).toEqual({ code: 0, stdout: 'asff licenses: stage image: 8 packages, 1 licence violation(s) (AGPL-3.0-only 1)\n', stderr: '' });
    const report = JSON.parse(readFileSync(output, 'utf8'));
    expect(report.violations.map((v: any) => `${v.component.name}:${v.license}`)).toEqual(['ghostscript-wrapper:AGPL-3.0-only']);
  });

  test('the repository policy tightens the factory\'s rules, and the summary says how', async () => {
    const repository = file('security-policy.yml', 'version: 1\ndefault: HIGH\nlicenses:\n  deny: [GPL-3.0-or-later]\n  unlicensed: fail\n');
    const result = await asff([
      'licenses', '--sbom', SBOM, '--policy', factory, '--repository-policy', repository, '--stage', 'image', '--output', join(dir, 'tight.json'),
    ]);
    expect(result.stdout.split('\n')).toEqual([
      'asff licenses: stage image: 8 packages, 4 licence violation(s) (GPL-3.0-or-later 1, X11-like custom terms 1, NOASSERTION 1, AGPL-3.0-only 1)',
      `  note: ${repository} tightens the licence deny list of stage image with GPL-3.0-or-later`,
      `  note: ${repository} tightens unlicensed components of stage image to fail`,
      '',
    ]);
  });

  test('names the image given with --image as the report\'s subject, instead of the SBOM\'s', async () => {
    const result = await asff(['licenses', '--sbom', SBOM, '--policy', factory, '--stage', 'image', '--image', 'sha256:' + 'a'.repeat(64)]);
    expect(JSON.parse(result.stdout).sbom.subject).toBe('sha256:' + 'a'.repeat(64));
  });

  test('with the report on standard output, the verdict goes to standard error', async () => {
    const result = await asff(['licenses', '--sbom', SBOM, '--policy', factory, '--stage', 'image']);
    expect(JSON.parse(result.stdout).summary).toEqual({ components: 8, violations: 1 });
    expect(result.stderr).toMatch(/^asff licenses: stage image: 8 packages/);
  });

  test.each([
    [
      'an SBOM that is no SBOM',
      () => ['--sbom', file('grype.json', '{"matches":[]}'), '--policy', factory],
      /grype\.json: not a CycloneDX or SPDX JSON SBOM/,
    ],
    ['a missing SBOM', () => ['--sbom', join(dir, 'none.json'), '--policy', factory], /none\.json: no such file/],
    [
      'a policy with a misspelt licence',
      () => ['--sbom', SBOM, '--policy', file('bad.yml', 'version: 1\ndefault: HIGH\nlicenses:\n  deny: [AGLP-3.0]\n')],
      /bad\.yml:4: licenses\.deny\[0\]: unknown SPDX licence id 'AGLP-3.0'/,
    ],
  ])('exits 2 with one line on %s, and leaves no report behind', async (_, args, message) => {
    const output = join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
    const result = await asff(['licenses', ...args(), '--stage', 'image', '--output', output]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(output)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.endsWith('.partial'))).toEqual([]);
  });

  test('report, convert and gate: a denied licence fails the stage, the same SBOM passes without the rule', async () => {
    const gate = async (policy: string) => {
      const report = join(dir, `gate-${Math.random().toString(36).slice(2)}.json`);
      expect((await asff(['licenses', '--sbom', SBOM, '--policy', policy, '--stage', 'image', '--output', report])).code).toBe(0);
      const findings = `${report}.asff.json`;
      expect((await asff([
        'convert', '--tool', 'sbom-licenses', '--input', report, '--output', findings, '--account', '123456789012', '--region', 'eu-west-1',
      ])).code).toBe(0);
      return asff(['gate', '--input', findings, '--policy', policy, '--stage', 'image']);
    };
    const denied = await gate(factory);
    expect(denied.code).toBe(1);
    expect(denied.stdout).toMatch(/^asff gate: stage image, threshold HIGH: FAILED \(1 blocking\)$/m);
    expect(denied.stdout).toContain('AGPL-3.0-only');
    const allowed = await gate(file('lenient.yml', 'version: 1\ndefault: HIGH\nlicenses:\n  deny: [SSPL-1.0]\n  unlicensed: pass\n'));
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/PASSED/);
  });

  test.each([
    ['pkg:npm/**', 0, /\(suppressed 1,/],
    ['pkg:deb/**', 1, /\(suppressed 0,/],
  ])('a suppression of the licence accepts the violation only for packages its path matches (%s: exit %d)', async (glob, code, counts) => {
    const suppressed = file(`suppressed-${code}.yml`, [
      'version: 1', 'default: HIGH', 'licenses:', '  deny: [AGPL-3.0-only]', '  unlicensed: pass', 'suppressions:',
      '  - rule: AGPL-3.0-only', `    path: "${glob}"`, '    reason: used as a separate program, legal review 2026-11', '    expires: 2099-01-01', '',
    ].join('\n'));
    const report = join(dir, `suppressed-${code}.json`);
    await asff(['licenses', '--sbom', SBOM, '--policy', suppressed, '--stage', 'image', '--output', report]);
    await asff([
      'convert', '--tool', 'sbom-licenses', '--input', report, '--output', `${report}.asff.json`, '--account', '123456789012',
      '--region', 'eu-west-1',
    ]);
    const result = await asff(['gate', '--input', `${report}.asff.json`, '--policy', suppressed, '--stage', 'image']);
    expect(result.code).toBe(code);
    expect(result.stdout).toMatch(counts);
  });
});
