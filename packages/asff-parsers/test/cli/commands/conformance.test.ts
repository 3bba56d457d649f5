import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReport, parseExpected } from '../../../src/cli/commands/conformance';
import { fixture } from '../../support/convert-helpers';
import { runCli } from '../../support/run-cli';

describe('asff conformance', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'asff-conformance-'));
    mkdirSync(join(dir, 'anchore_grype'));
    mkdirSync(join(dir, 'zap'));
    copyFileSync(fixture('grype', 'two-matches.json'), join(dir, 'anchore_grype', 'two.json'));
    copyFileSync(fixture('zap', 'report.xml'), join(dir, 'zap', 'report.xml'));
    writeFileSync(join(dir, 'zap', 'broken.json'), '{"site":[{"alerts":[');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const header = 'tool\tfile\texpected_findings\tnote\tasff_tool\n';

  test('parses expected.tsv, using asff_tool for the tool id', () => {
    expect(parseExpected(`${header}anchore_grype\ttwo.json\t2\tnote\tgrype\nzap\tx.xml\tERROR\t\t\n`)).toEqual([
      { folder: 'anchore_grype', file: 'two.json', expected: 2, note: 'note', tool: 'grype' },
      { folder: 'zap', file: 'x.xml', expected: 'ERROR', note: '', tool: 'zap' },
    ]);
  });

  test('judges each report: pass, counting-unit difference, expected error, missing parser, failure', async () => {
    const rows = parseExpected(
      `${header}anchore_grype\ttwo.json\t2\t\tgrype\nzap\treport.xml\t5\t\tzap\nzap\tbroken.json\tERROR\t\tzap\nnessus\tscan.nessus\t3\t\tnessus\nzap\tmissing.xml\t1\t\tzap\n`,
    );
    const results = await Promise.all(rows.map((row) => checkReport(dir, row)));
    expect(results.map((r) => [r.status, r.actual])).toEqual([
      ['pass', 2],
      ['differs', 2],
      ['pass', undefined],
      ['no-parser', undefined],
      ['fail', undefined],
    ]);
    expect(results[1].detail).toContain('counting unit: one per alert');
    expect(results[2].detail).toContain('rejected as expected');
    expect(results[4].detail).toBe('no such file');
  });

  test('exits 0 when nothing fails and 1 when a report fails', () => {
    writeFileSync(join(dir, 'expected.tsv'), `${header}anchore_grype\ttwo.json\t2\t\tgrype\nzap\treport.xml\t5\t\tzap\n`);
    const clean = runCli(['conformance', dir]);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toMatch(/^PASS\tgrype\tanchore_grype\/two\.json\t2\t2/m);
    expect(clean.stdout).toMatch(/2 reports: 1 pass, 1 differ by counting unit, 0 without parser, 0 fail/);
    writeFileSync(join(dir, 'expected.tsv'), `${header}zap\tmissing.xml\t1\t\tzap\n`);
    expect(runCli(['conformance', dir]).status).toBe(1);
  });

  test('a folder without expected.tsv is a one-line error', () => {
    const result = runCli(['conformance', join(dir, 'zap')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/expected\.tsv: cannot read \(ENOENT\)/);
  });
});
