import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workersFrom } from '../../src/cli/commands/convert';
import { autoWorkers, ELEMENT_WISE_TOOLS, serializedFindings, setWorkerScript, type OutputFormat, type PoolStats } from '../../src/cli/convert-pool';
import { UsageError } from '../../src/errors';

/**
 * Worker threads only ever change the speed of `asff convert`: every text, Id
 * suffix, limit, redaction and error must be the in-thread one. Batches are
 * made tiny here so that even small reports spread over several workers.
 */
const PACKAGE = join(__dirname, '..', '..');
// The workers run the compiled converter when it is there (the build compiles before testing); else the sources.
const COMPILED = join(PACKAGE, 'lib', 'cli', 'convert-worker-entry.js');
if (existsSync(COMPILED)) setWorkerScript(COMPILED);

const CONTEXT = {
  account: '123456789012',
  region: 'eu-west-1',
  repository: 'shop',
  branch: 'main',
  image: 'registry.example.test/shop@sha256:0123',
  now: new Date('2026-01-02T03:04:05.000Z'),
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'asff-workers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  readonly texts: string[];
  readonly error?: string;
  readonly stats: PoolStats;
}

async function run(tool: string, file: string, workers: number, format: OutputFormat = 'asff', maxInFlight?: number): Promise<Outcome> {
  const stats: PoolStats = { workers: 0, batches: 0, maxInFlight: 0 };
  const texts: string[] = [];
  try {
    const options = { tool, input: file, fileName: 'report.json', context: CONTEXT, format, workers, batchBytes: 300, maxInFlight };
    for await (const text of serializedFindings(options, stats)) {
      texts.push(text);
    }
  } catch (error) {
    return { texts, error: (error as Error).message, stats };
  }
  return { texts, stats };
}

function write(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const FIXTURES = [...ELEMENT_WISE_TOOLS].flatMap((tool) => {
  const folder = join(PACKAGE, 'src', 'parsers', tool, 'fixtures');
  return readdirSync(folder).filter((f) => /\.(json|sarif)$/.test(f)).map((f) => [tool, join(folder, f)] as const);
});

describe('conversion with worker threads', () => {
  test.each(FIXTURES)('%s fixture %s: the same texts as in-thread, in ASFF and OCSF', async (tool, file) => {
    for (const format of ['asff', 'ocsf'] as const) {
      const inThread = await run(tool, file, 0, format);
      const pooled = await run(tool, file, 3, format);
      expect(inThread.error).toBeUndefined();
      expect(pooled.stats.workers).toBe(3);
      expect(pooled.texts).toEqual(inThread.texts);
    }
  });

  test('repeated Ids get the same suffixes, limits and redaction the same cuts, over several workers and batches', async () => {
    const secret = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';
    const result = (i: number): unknown => ({
      ruleId: `R${i % 3}`,
      level: 'error',
      // Every third result repeats an earlier location: its Id is repeated.
      message: { text: `${i % 4 === 0 ? 'x'.repeat(5000) : 'leak'} ${secret}` },
      locations: [{
        physicalLocation: { artifactLocation: { uri: `src/f${i % 5}.ts` }, region: { startLine: 1 + (i % 2), snippet: { text: secret } } },
      }],
      properties: { secret },
    });
    const report = {
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'gitleaks', rules: [] } }, results: Array.from({ length: 60 }, (_, i) => result(i)) }],
    };
    const file = write('secrets.sarif', JSON.stringify(report));
    for (const format of ['asff', 'ocsf'] as const) {
      const inThread = await run('sarif', file, 0, format);
      const pooled = await run('sarif', file, 2, format);
      expect(pooled.stats.batches).toBeGreaterThan(10);
      expect(pooled.texts).toEqual(inThread.texts);
      const all = pooled.texts.join('\n');
      expect(all).toMatch(/"(Id|uid)":"sarif\/[0-9a-f]{40}-2"/);
      expect(all).toContain('[REDACTED sha256:');
      expect(all).not.toContain(secret);
      expect(all).toContain('…[truncated]');
    }
  });

  test('a ZAP XML report (not JSON elements) falls back to in-thread conversion', async () => {
    const file = join(PACKAGE, 'src', 'parsers', 'zap', 'fixtures', 'report.xml');
    const pooled = await run('zap', file, 2);
    expect(pooled.stats.workers).toBe(0);
    expect(pooled.texts).toEqual((await run('zap', file, 0)).texts);
    expect(pooled.texts.length).toBeGreaterThan(0);
  });

  test.each([
    ['an element that is not JSON', '{"matches":[MATCH,MATCH,{"vulnerability":{"id":tru}},MATCH]}'],
    ['broken structure after some elements', '{"matches":[MATCH,MATCH MATCH]}'],
    ['a truncated report', '{"matches":[MATCH,MATCH,'],
  ])('%s: the same one-line error naming the file, after the same findings', async (_name, shape) => {
    const match = JSON.stringify({ vulnerability: { id: 'CVE-2024-1', severity: 'High' }, artifact: { name: 'a', version: '1' } });
    const file = write('broken.json', shape.replaceAll('MATCH', match));
    const inThread = await run('grype', file, 0);
    const pooled = await run('grype', file, 2);
    expect(inThread.error).toMatch(/^report\.json: /);
    expect(pooled.stats.workers).toBe(2);
    expect(pooled.error).toBe(inThread.error);
    expect(pooled.texts).toEqual(inThread.texts);
  });

  test('back-pressure: no more batches in flight than allowed, however fast the report is read', async () => {
    const match = (i: number): unknown => ({ vulnerability: { id: `CVE-2024-${i}`, severity: 'High' }, artifact: { name: `p${i}`, version: '1' } });
    const file = write('many.json', JSON.stringify({ matches: Array.from({ length: 400 }, (_, i) => match(i)) }));
    const pooled = await run('grype', file, 2, 'asff', 3);
    expect(pooled.stats.batches).toBeGreaterThan(50);
    expect(pooled.stats.maxInFlight).toBe(3);
    expect(pooled.texts).toEqual((await run('grype', file, 0)).texts);
  });
});

test('by default, workers convert only reports of 8 MiB or more, and only on four or more cores', () => {
  expect(autoWorkers(8 * 1024 * 1024, 4)).toBe(2);
  expect(autoWorkers(8 * 1024 * 1024 - 1, 8)).toBe(0);
  expect(autoWorkers(1024 * 1024 * 1024, 2)).toBe(0);
});

describe('ASFF_CONVERT_WORKERS', () => {
  test('unset or empty decides by the report; a whole number is the worker count; anything else is a usage error', () => {
    expect(workersFrom({})).toBeUndefined();
    expect(workersFrom({ ASFF_CONVERT_WORKERS: ' ' })).toBeUndefined();
    expect(workersFrom({ ASFF_CONVERT_WORKERS: '0' })).toBe(0);
    expect(workersFrom({ ASFF_CONVERT_WORKERS: '2' })).toBe(2);
    for (const bad of ['-1', '1.5', 'two', '99']) expect(() => workersFrom({ ASFF_CONVERT_WORKERS: bad })).toThrow(UsageError);
  });
});

describe('the single-file CLI bundle', () => {
  const BUNDLE = join(PACKAGE, 'dist', 'cli', 'asff.js');
  const convert = (file: string, workers: string): { stdout: string; stderr: string; status: number | null } => {
    const args = [
      'convert', '--tool', 'grype', '--input', file, '--account', '123456789012', '--region', 'eu-west-1', '--repository', 'r', '--format', 'ndjson',
    ];
    const result = spawnSync(process.execPath, [BUNDLE, ...args], { encoding: 'utf8', env: { ...process.env, ASFF_CONVERT_WORKERS: workers } });
    // Separate runs stamp their own time.
    return { status: result.status, stderr: result.stderr, stdout: result.stdout.replace(/"(CreatedAt|UpdatedAt)":"[^"]+"/g, '"$1":"T"') };
  };

  test('is its own worker script: the same findings and the same error with two workers', () => {
    const match = (i: number): unknown => ({ vulnerability: { id: `CVE-2024-${i % 7}`, severity: 'High' }, artifact: { name: 'p', version: '1' } });
    const file = write('bundle.json', JSON.stringify({ matches: Array.from({ length: 30 }, (_, i) => match(i)) }));
    const inThread = convert(file, '0');
    const pooled = convert(file, '2');
    expect(inThread.status).toBe(0);
    expect(pooled).toEqual(inThread);
    expect(pooled.stdout.split('\n').filter((line) => line.includes('-2"')).length).toBeGreaterThan(0);
    const broken = write('bundle-broken.json', '{"matches":[{"vulnerability":{"id":"CVE-1"}},{"x":nul}]}');
    const failedInThread = convert(broken, '0');
    expect(failedInThread.status).toBe(2);
    expect(failedInThread.stderr).toMatch(/^asff: .*bundle-broken\.json: invalid JSON/);
    expect(convert(broken, '2')).toEqual(failedInThread);
  });
});
