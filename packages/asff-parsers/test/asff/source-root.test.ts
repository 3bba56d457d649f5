import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { sourceRootRewriter } from '../../src/asff/source-root';
import { scanContextFrom } from '../../src/cli/commands/convert';
import { convert } from '../../src/convert';
import { memorySource } from '../../src/streams/report-source';
import { collect, fixtureText, SCAN } from '../support/convert-helpers';

const BUILD_A = '/codebuild/output/src111111111/src';
const BUILD_B = '/codebuild/output/src222222222/src';

/** The osv-scanner fixture as two builds checked out at different directories would print it. */
function osvReportIn(root: string): string {
  return fixtureText('osv-scanner', 'report.json').split('/codebuild/output/src1/app').join(root);
}

/** A SARIF report naming files by absolute file:// URI, as many SARIF producers do. */
function sarifReportIn(root: string): string {
  const result = (uri: string, line: number) => ({
    ruleId: 'js/sql-injection',
    level: 'error',
    message: { text: `Query built from user input in ${root}/src/db.js.` },
    locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: line } } }],
  });
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'CodeQL', rules: [] } }, results: [result(`file://${root}/src/db.js`, 12), result(`${root}/src/api.js`, 30)] }],
  });
}

async function convertIn(tool: string, report: string, sourceRoot?: string): Promise<AwsSecurityFinding[]> {
  return collect(convert({ tool, input: memorySource(report), context: { ...SCAN, sourceRoot } }));
}

describe('--source-root: reported paths under the checkout become relative', () => {
  test.each([
    ['osv-scanner', osvReportIn],
    ['sarif', sarifReportIn],
  ])('%s: the same report from two build directories gives the same Ids, resources and titles', async (tool, reportIn) => {
    const [a, b] = await Promise.all([convertIn(tool, reportIn(BUILD_A), BUILD_A), convertIn(tool, reportIn(BUILD_B), BUILD_B)]);
    expect(a.length).toBeGreaterThan(1);
    const shape = (findings: AwsSecurityFinding[]) =>
      findings.map((f) => ({ Id: f.Id, Title: f.Title, Description: f.Description, Resources: f.Resources, Vulnerabilities: f.Vulnerabilities }));
    expect(shape(a)).toEqual(shape(b));
    expect(JSON.stringify(a)).not.toContain('/codebuild/');
    // Without a root the build directory is in every Id: the case this option exists for.
    const [plainA, plainB] = await Promise.all([convertIn(tool, reportIn(BUILD_A)), convertIn(tool, reportIn(BUILD_B))]);
    expect(plainA.map((f) => f.Id)).not.toEqual(plainB.map((f) => f.Id));
  });

  test('a SARIF location becomes repository/relative path:line, and a file:// URI loses its scheme with the root', async () => {
    const findings = await convertIn('sarif', sarifReportIn(BUILD_A), `${BUILD_A}/`);
    expect(findings.map((f) => f.Resources![0].Id)).toEqual(['example-repo/src/db.js:12', 'example-repo/src/api.js:30']);
    expect(findings[0].Description).toContain('user input in src/db.js.');
  });

  test('only a whole leading path is cut: a longer directory name or the root further inside a path stays', () => {
    const rewrite = sourceRootRewriter('/build/src')!;
    expect(rewrite('/build/src/app/x.py')).toBe('app/x.py');
    expect(rewrite('/build/srcfoo/x.py')).toBe('/build/srcfoo/x.py');
    expect(rewrite('/other/build/src/x.py')).toBe('/other/build/src/x.py');
    expect(rewrite('scanned /build/src: 3 files')).toBe('scanned .: 3 files');
    expect(rewrite('in "/build/src/a.js" and /build/src/b.js')).toBe('in "a.js" and b.js');
  });

  test('a Windows build root matches the report with either separator', () => {
    const rewrite = sourceRootRewriter('C:\\build\\src\\')!;
    expect(rewrite('C:\\build\\src\\app\\x.py')).toBe('app\\x.py');
    expect(rewrite('C:/build/src/app/x.py')).toBe('app/x.py');
  });

  test('no root, an empty one or / rewrites nothing', () => {
    expect([undefined, '', '  ', '/', '.'].map((root) => sourceRootRewriter(root))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test('the command line defaults to CodeBuild\'s checkout directory, and --source-root wins over it', () => {
    const env = { CODEBUILD_SRC_DIR: BUILD_A };
    const scope = { account: '123456789012', region: 'eu-west-1' };
    expect(scanContextFrom(scope, env).sourceRoot).toBe(BUILD_A);
    expect(scanContextFrom({ ...scope, 'source-root': BUILD_B }, env).sourceRoot).toBe(BUILD_B);
    expect(scanContextFrom({ ...scope, 'source-root': '' }, env).sourceRoot).toBe('');
    expect(scanContextFrom(scope, {}).sourceRoot).toBeUndefined();
  });
});
