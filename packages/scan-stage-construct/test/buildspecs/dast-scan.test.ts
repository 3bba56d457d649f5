import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';

/**
 * Runs the first build command of the canonical dast-scan buildspec (scan
 * settings, ZAP Automation Framework plan, key files) for real with bash and
 * jq; starting ZAP itself needs its release and a Java runtime.
 */
const spec = expectedStageBuildspec('dast-scan.yml');
const prepare: string = spec.phases.build.commands[1];
const API_KEY = 'zap-key-' + Math.random().toString(36).slice(2);

/** `apiKey` null: no key from Secrets Manager. */
function prepareScan(env: Record<string, string>, apiKey: string | null = API_KEY) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dast-scan-'));
  const result = spawnSync('bash', ['-c', prepare], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      ...spec.env.variables,
      ...(apiKey === null ? {} : { ZAP_API_KEY: apiKey }),
      TARGET_URL: 'https://staging.example.com/',
      ...env,
    },
  });
  const file = (name: string) => path.join(dir, 'zap', name);
  const plan = fs.existsSync(file('plan.yaml')) ? JSON.parse(fs.readFileSync(file('plan.yaml'), 'utf8')) : undefined;
  return { dir, result, plan, file };
}

describe('dast-scan buildspec, scan preparation run for real', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  test('a baseline scan spiders and waits for the passive scan, then writes the JSON report, within the time budget', () => {
    const { dir, result, plan } = prepareScan({ ZAP_SCAN_TYPE: 'baseline', ZAP_TIMEOUT_MINUTES: '20' });
    dirs.push(dir);
    expect(result.status).toBe(0);
    expect(plan.env.contexts).toEqual([{ name: 'staging', urls: ['https://staging.example.com/'] }]);
    expect(plan.jobs.map((j: any) => j.type)).toEqual(['spider', 'passiveScan-wait', 'report']);
    expect(plan.jobs[0].parameters.maxDuration + plan.jobs[1].parameters.maxDuration).toBeLessThanOrEqual(20);
    expect(plan.jobs[2].parameters).toEqual({
      template: 'traditional-json',
      reportDir: path.join(fs.realpathSync(dir), 'reports'),
      reportFile: 'zap.json',
    });
  });

  test('a full scan adds the active scan; an API scan imports the definition first', () => {
    const full = prepareScan({ ZAP_SCAN_TYPE: 'full', ZAP_TIMEOUT_MINUTES: '40' });
    const api = prepareScan({ ZAP_SCAN_TYPE: 'api', ZAP_API_DEFINITION: 'https://staging.example.com/openapi.json' });
    const apiFile = prepareScan({ ZAP_SCAN_TYPE: 'api', ZAP_API_DEFINITION: 'docs/openapi.yaml' });
    dirs.push(full.dir, api.dir, apiFile.dir);
    expect(apiFile.plan.jobs[0].parameters.apiFile).toBe(path.join(fs.realpathSync(apiFile.dir), 'docs/openapi.yaml'));
    expect(full.plan.jobs.map((j: any) => j.type)).toEqual(['spider', 'passiveScan-wait', 'activeScan', 'report']);
    expect(full.plan.jobs[2].parameters.maxScanDurationInMins).toBe(20);
    expect(api.plan.jobs[0]).toEqual({ type: 'openapi', parameters: { apiUrl: 'https://staging.example.com/openapi.json', targetUrl: 'https://staging.example.com/', context: 'staging' } });
  });

  test('the API key only lands in two owner-only files, never in the plan or the output', () => {
    const { dir, result, plan, file } = prepareScan({ ZAP_SCAN_TYPE: 'baseline' });
    dirs.push(dir);
    for (const name of ['zap.properties', 'api-header.txt']) {
      // eslint-disable-next-line no-bitwise -- permission bits of a file mode
      expect(fs.statSync(file(name)).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file(name), 'utf8')).toContain(API_KEY);
    }
    expect(JSON.stringify(plan)).not.toContain(API_KEY);
    expect(`${result.stdout}${result.stderr}`).not.toContain(API_KEY);
  });

  test('without a key from Secrets Manager, each build draws its own 256-bit key, in the same two files only', () => {
    const runs = [prepareScan({ ZAP_SCAN_TYPE: 'baseline' }, null), prepareScan({ ZAP_SCAN_TYPE: 'baseline' }, null)];
    dirs.push(...runs.map((run) => run.dir));
    const keys = runs.map(({ result, plan, file }) => {
      expect(result.status).toBe(0);
      const key = /^api\.key=([0-9a-f]+)\n$/.exec(fs.readFileSync(file('zap.properties'), 'utf8'))?.[1] ?? '';
      expect(key).toMatch(/^[0-9a-f]{64}$/);
      expect(fs.readFileSync(file('api-header.txt'), 'utf8')).toBe(`X-ZAP-API-Key: ${key}\n`);
      // eslint-disable-next-line no-bitwise -- permission bits of a file mode
      expect([file('zap.properties'), file('api-header.txt')].map((name) => fs.statSync(name).mode & 0o777)).toEqual([0o600, 0o600]);
      expect(JSON.stringify(plan)).not.toContain(key);
      expect(`${result.stdout}${result.stderr}`).not.toContain(key);
      return key;
    });
    expect(keys[0]).not.toBe(keys[1]);
  });

  test('refuses an unknown scan type and an API scan without a definition', () => {
    const unknown = prepareScan({ ZAP_SCAN_TYPE: 'aggressive' });
    const api = prepareScan({ ZAP_SCAN_TYPE: 'api' });
    dirs.push(unknown.dir, api.dir);
    expect([unknown.result.status, api.result.status]).toEqual([2, 2]);
    expect(api.result.stderr).toContain('ZAP_API_DEFINITION');
    expect(fs.existsSync(api.file('zap.properties'))).toBe(false);
  });
});
