import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';

/**
 * The Lambda ships as the single file the `bundle:lambda` task writes. This
 * builds it the same way and loads it in a fresh Node process, as Lambda's
 * cold start does, to prove it is self-contained and exports `handler`.
 */
describe('findings-processor bundle', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'bundle-')), 'index.js');
  beforeAll(() => {
    buildSync({
      entryPoints: [join(__dirname, '..', '..', 'src', 'lambda', 'handler.ts')],
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      minify: true,
      outfile: out,
      logLevel: 'silent',
    });
  });

  test('is one self-contained file: only Node built-ins stay external', () => {
    const code = readFileSync(out, 'utf8');
    const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
    // The SDK probes for the optional CRT signer inside a try/catch; it is not needed for SigV4.
    required.delete('@aws-sdk/signature-v4-crt');
    const builtins = new Set(builtinModules);
    for (const name of required) expect(builtins.has(name.replace(/^node:/, '').split('/')[0]) || builtins.has(name.replace(/^node:/, ''))).toBe(true);
    expect(statSync(out).size).toBeLessThan(5 * 1024 * 1024);
  });

  test('loads in a fresh process and exports the handler', () => {
    const script = `const t = process.hrtime.bigint(); const m = require(${JSON.stringify(out)}); process.stdout.write(JSON.stringify({ type: typeof m.handler, ms: Number(process.hrtime.bigint() - t) / 1e6 }));`;
    const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, AWS_REGION: 'us-east-1' }, encoding: 'utf8' }));
    expect(result.type).toBe('function');
    expect(result.ms).toBeGreaterThan(0);
  });
});
