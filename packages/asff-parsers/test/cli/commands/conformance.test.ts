import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkReport, parseExpected } from '../../../src/cli/commands/conformance';
import { parseFacts } from '../../../src/cli/commands/conformance-facts';
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
      `${header}anchore_grype\ttwo.json\t2\t\tgrype\nzap\treport.xml\t5\t\tzap\nzap\tbroken.json\tERROR\t\tzap\n`
        + 'nessus\tscan.nessus\t3\t\tnessus\nzap\tmissing.xml\t1\t\tzap\n',
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
    expect(clean.stdout).toMatch(/2 reports: 1 pass, 1 differ by counting unit or facts, 0 without parser, 0 fail/);
    writeFileSync(join(dir, 'expected.tsv'), `${header}zap\tmissing.xml\t1\t\tzap\n`);
    expect(runCli(['conformance', dir]).status).toBe(1);
  });

  test('a folder without expected.tsv is a one-line error', () => {
    const result = runCli(['conformance', join(dir, 'zap')]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/expected\.tsv: cannot read \(ENOENT\)/);
  });

  describe('facts.tsv', () => {
    const factsHeader = 'tool\tfile\tindex\tfield\tvalue\n';
    const row = 'anchore_grype\ttwo.json\t2\t\tgrype\n';

    test('a named finding whose severity, title, id and file path hold passes, and says so', async () => {
      const facts = parseFacts(`${factsHeader}anchore_grype\ttwo.json\t0\tdd:severity\tCritical\n`
        + 'anchore_grype\ttwo.json\t0\tdd:title\tCVE-2023-1000 libexample\n'
        + 'anchore_grype\ttwo.json\t0\tdd:file_path\t/var/lib/dpkg/status\n'
        + 'anchore_grype\ttwo.json\t0\traw:matches[0].vulnerability.id\tCVE-2023-1000\n');
      const result = await checkReport(dir, parseExpected(header + row)[0], false, facts);
      expect(result.status).toBe('pass');
      // The raw: fact describes the report, not a finding: it is not checked.
      expect(result.facts).toEqual({ checked: 3, misses: [] });
      expect(result.detail).toBe('facts: 3 hold');
    });

    test('a wrong severity or a value the finding does not carry is listed as a difference, the count notwithstanding', async () => {
      const facts = parseFacts(`${factsHeader}anchore_grype\ttwo.json\t0\tdd:severity\tLow\n`
        + 'anchore_grype\ttwo.json\t0\tdd:title\tCVE-2023-1000 libexample\n'
        + 'anchore_grype\ttwo.json\t1\tdd:cve\tCVE-2099-0001\n'
        + 'anchore_grype\ttwo.json\t*\tdd:file_paths (sorted)\t/var/lib/dpkg/status,/opt/missing.jar\n');
      const result = await checkReport(dir, parseExpected(header + row)[0], false, facts);
      expect(result.status).toBe('differs');
      expect(result.facts?.misses).toEqual([
        'file path /opt/missing.jar in no finding',
        '#0 severity expected LOW',
        "#1 cve 'CVE-2099-0001' not carried",
      ]);
      expect(result.detail).toMatch(/^facts: 3 of 4 do not hold: /);
    });

    test('the CLI reads facts.tsv next to expected.tsv, totals them, and --strict-facts fails on a miss', () => {
      writeFileSync(join(dir, 'expected.tsv'), header + row);
      writeFileSync(join(dir, 'facts.tsv'), `${factsHeader}anchore_grype\ttwo.json\t0\tdd:severity\tHigh\n`);
      const lenient = runCli(['conformance', dir]);
      expect(lenient.status).toBe(0);
      expect(lenient.stdout).toMatch(/^DIFFERS\tgrype\tanchore_grype\/two\.json\t2\t2\tfacts: 1 of 1 do not hold: #0 severity expected HIGH$/m);
      expect(lenient.stdout).toMatch(/^facts: 0 of 1 hold$/m);
      expect(runCli(['conformance', dir, '--strict-facts']).status).toBe(1);
      rmSync(join(dir, 'facts.tsv'));
    });
  });
});
