import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

/**
 * The Lambda and the CLI ship as the single files the `bundle` task writes (scripts/bundle-asff.js; the
 * root's `ready` runs it before the tests). Each is loaded in a fresh Node process, as Lambda's cold start and
 * a CodeBuild stage do, to prove it is self-contained, and ships the licences of what it bundles.
 */
const PACKAGE = join(__dirname, '..', '..');
const VERSION = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')).version;
const BUNDLES = {
  lambda: join(PACKAGE, 'dist', 'lambda', 'index.js'),
  cli: join(PACKAGE, 'dist', 'cli', 'asff.js'),
};

/** Module names the bundle still requires at run time. */
function requiredModules(file: string): string[] {
  const code = readFileSync(file, 'utf8');
  const required = new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
  // The SDK probes for the optional CRT signer inside a try/catch; it is not needed for SigV4.
  required.delete('@aws-sdk/signature-v4-crt');
  return [...required];
}

describe.each(Object.entries(BUNDLES))('%s bundle', (_name, file) => {
  test('is one self-contained file: only Node built-ins stay external', () => {
    const builtins = new Set(builtinModules);
    const external = requiredModules(file).filter(
      (name) => !builtins.has(name.replace(/^node:/, '').split('/')[0]) && !builtins.has(name.replace(/^node:/, '')),
    );
    expect(external).toEqual([]);
    expect(statSync(file).size).toBeLessThan(5 * 1024 * 1024);
  });

  test('ships THIRD-PARTY-NOTICES.txt with the licence of every package compiled into it', () => {
    const notices = readFileSync(join(file, '..', 'THIRD-PARTY-NOTICES.txt'), 'utf8');
    const sourcemap = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    const bundled = new Set(
      sourcemap.sources.map((source) => /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(source)?.[1]).filter((name): name is string => name !== undefined),
    );
    expect(bundled.size).toBeGreaterThan(5);
    const listed = new Set([...notices.matchAll(/^(\S+)@\d[^ ]* \(/gm)].map((m) => m[1]));
    expect([...bundled].filter((name) => !listed.has(name))).toEqual([]);
    // Every entry carries licence text, not just a name.
    const entries = notices.split(/^={78}$/m).slice(1);
    expect(entries.length).toBe(listed.size);
    for (const entry of entries) expect(entry.split('\n').filter((line) => line.trim() !== '').length).toBeGreaterThan(3);
  });
});

test('the Lambda bundle loads in a fresh process and exports the handler', () => {
  const script = `const m = require(${JSON.stringify(BUNDLES.lambda)}); process.stdout.write(typeof m.handler);`;
  expect(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, AWS_REGION: 'us-east-1' }, encoding: 'utf8' })).toBe('function');
});

test('the CLI bundle runs on its own and reports the version of the package it was built from', () => {
  expect(execFileSync(process.execPath, [BUNDLES.cli, '--version'], { encoding: 'utf8' })).toBe(`${VERSION}\n`);
  expect(execFileSync(BUNDLES.cli, ['tools'], { encoding: 'utf8' })).toMatch(/^trivy$/m);
});
