import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import { collect, SCAN } from '../support/convert-helpers';

/**
 * Runs the real Bandit (Debian's package, installed by .ci/run) over planted
 * Python code and converts the report it writes, so the parser is checked
 * against what the tool emits today, not only against hand-written fixtures.
 */
describe('bandit parser on a report written by the real bandit', () => {
  let workspace: string;
  let report: string;
  const password = `Planted-${randomBytes(9).toString('hex')}`;

  beforeAll(() => {
    workspace = mkdtempSync(join(tmpdir(), 'bandit-real-'));
    const source = join(workspace, 'src', 'app');
    mkdirSync(source, { recursive: true });
    // B106 (a password passed as a literal keyword argument); Debian's bandit 1.6 misses B105 on Python 3.8+ ASTs.
    writeFileSync(
      join(source, 'database.py'),
      `import sqlite3\n\n\ndef open_database():\n    return sqlite3.connect('app.db', password='${password}')\n`,
    );
    writeFileSync(
      join(source, 'runner.py'),
      [
        'import subprocess',
        '',
        '',
        'def run(command):',
        '    return subprocess.call(command, shell=True)',
        '',
        '',
        'def evaluate(expression):',
        '    return eval(expression)',
        '',
      ].join('\n'),
    );
    report = join(workspace, 'bandit.json');
    const run = spawnSync('bandit', ['-r', 'src', '-f', 'json', '-o', report], { cwd: workspace, encoding: 'utf8' });
    if (run.error) throw new Error(`bandit could not run (.ci/run installs the Debian package): ${run.error.message}`);
    // Bandit exits 1 when it found issues, which it must here.
    expect({ status: run.status, stderr: run.status === 1 ? '' : run.stderr }).toEqual({ status: 1, stderr: '' });
  });

  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  test('--tool auto recognises the report and every planted weakness becomes a valid finding at its file and line', async () => {
    const findings = await collect(convert({ tool: 'auto', input: report, context: SCAN }));
    const byRule = new Map(findings.map((f) => [f.GeneratorId, f]));
    expect([...byRule.keys()].sort()).toEqual(['bandit/B106', 'bandit/B307', 'bandit/B404', 'bandit/B602']);
    expect(byRule.get('bandit/B602')!.Resources![0].Id).toBe('example-repo/src/app/runner.py:5');
    expect(byRule.get('bandit/B602')!.Severity!.Label).toBe('HIGH');
    expect(byRule.get('bandit/B307')!.Resources![0].Id).toBe('example-repo/src/app/runner.py:9');
    expect(byRule.get('bandit/B106')!.Resources![0].Id).toBe('example-repo/src/app/database.py:5');
    for (const finding of findings) expect(validateFinding(finding)).toEqual([]);
    expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
  });

  test('the planted password is in bandit\'s report but in no finding', async () => {
    expect(readFileSync(report, 'utf8')).toContain(password);
    const findings = await collect(convert({ tool: 'bandit', input: report, context: SCAN }));
    expect(findings.length).toBeGreaterThan(0);
    expect(JSON.stringify(findings)).not.toContain(password);
  });
});
