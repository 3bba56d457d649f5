import * as fs from 'fs';
import * as path from 'path';
import { SCAN_BUILDSPECS, bashSyntax, readBuildspec, shellcheckErrors } from './support/buildspec-files';

/**
 * The toolbox image is checked without a Docker engine: its Dockerfile is read as instructions (comments
 * dropped, continuation lines joined) and compared with the buildspecs it stands in for.
 */
const DOCKERFILE = path.join(__dirname, '..', '..', '..', 'toolbox', 'Dockerfile');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

function instructions(text: string): Instruction[] {
  const logical = text.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n').replace(/\\\n/g, ' ');
  return logical.split('\n').filter((line) => line.trim() !== '').map((line) => {
    const match = /^(\w+)\s+(.*)$/.exec(line.trim())!;
    return { keyword: match[1].toUpperCase(), args: match[2] };
  });
}

const parsed = instructions(fs.readFileSync(DOCKERFILE, 'utf8'));
const args: Record<string, string> = Object.fromEntries(parsed.filter((i) => i.keyword === 'ARG').map((i) => {
  const [name, ...value] = i.args.split('=');
  return [name, value.join('=')];
}));
const runs = parsed.filter((i) => i.keyword === 'RUN').map((i) => i.args);

/** Every pin of the scan buildspecs: tool versions, sha256 values and the one download named by URL. */
const buildspecPins: Array<[string, string, string]> = SCAN_BUILDSPECS.flatMap((file) =>
  Object.entries<string>(readBuildspec(file).env.variables)
    .filter(([name]) => /_(VERSION|SHA256|URL)$/.test(name))
    .map(([name, value]): [string, string, string] => [file, name, String(value)]));

describe('toolbox/Dockerfile', () => {
  test('its base image is pinned by digest', () => {
    const from = parsed.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    expect(from.length).toBeGreaterThan(0);
    for (const image of from) expect(image).toMatch(/^\S+@sha256:[0-9a-f]{64}( AS \S+)?$/i);
  });

  test.each(buildspecPins)('%s pins %s=%s, and so does the image', (_file, name, value) => {
    expect([name, args[name]]).toEqual([name, value]);
  });

  test('the checks themselves: a pin that differs from the buildspecs\' is found', () => {
    const drifted = instructions('FROM x@sha256:' + 'a'.repeat(64) + '\nARG GRYPE_VERSION=0.118.0\n');
    const value = Object.fromEntries(drifted.filter((i) => i.keyword === 'ARG').map((i) => i.args.split('=')));
    expect(value.GRYPE_VERSION).not.toBe(readBuildspec('image-scan.yml').env.variables.GRYPE_VERSION);
  });

  test('every release it downloads is checked with sha256sum --check before anything is unpacked', () => {
    const downloading = runs.filter((run) => run.includes('fetch '));
    expect(downloading).toHaveLength(1);
    const run = downloading[0];
    const fetched = [...run.matchAll(/&& fetch "[^"]+" "?([^"\s]+)"?/g)].map((m) => m[1]);
    const checked = [...run.matchAll(/printf '%s {2}%s\\n' "\$\{(\w+_SHA256)\}" "?([^"\s;]+)"?;/g)].map((m) => ({ sha: m[1], file: m[2] }));
    expect(fetched.length).toBe(10);
    expect(checked.map((c) => c.file).sort()).toEqual([...fetched].sort());
    // Each file is checked against the pin of the tool it is.
    for (const { sha } of checked) expect(args[sha]).toMatch(/^[0-9a-f]{64}$/);
    const check = run.indexOf('sha256sum --check --strict SHA256SUMS');
    expect(check).toBeGreaterThan(0);
    expect(run.indexOf('tar -x')).toBeGreaterThan(check);
    expect(run.indexOf('install -m')).toBeGreaterThan(check);
  });

  test('Snyk from npm is refused unless its tarball has the pinned npm integrity', () => {
    const snyk = runs.find((run) => run.includes('npm pack'))!;
    expect(args.SNYK_INTEGRITY).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
    expect(snyk).toMatch(/if \[ "\$\{integrity\}" != "\$\{SNYK_INTEGRITY\}" \]; then .* exit 1; fi\s+&& npm install --global/);
  });

  test('keeps what toolbox.sh compares the installed files with, and gives notation its plugin folder', () => {
    const toolbox = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'buildspecs', 'toolbox.sh'), 'utf8');
    expect(toolbox).toContain('${TOOLBOX_DOWNLOADS:-/opt/toolbox/downloads}');
    expect(parsed).toContainEqual({ keyword: 'WORKDIR', args: '/opt/toolbox/downloads' });
    const cleanup = runs.find((run) => run.includes('fetch '))!.split('&& rm -rf')[1];
    expect(cleanup).not.toMatch(/git-secrets-\$\{GIT_SECRETS_VERSION\}\.tar\.gz|notation-aws-signer-plugin\.zip/);
    expect(parsed).toContainEqual({ keyword: 'ENV', args: 'XDG_CONFIG_HOME=/opt/toolbox/config' });
    expect(runs.join('\n')).toContain('tar -xzf zap.tar.gz -C /opt/zap --strip-components=1');
  });

  test('runs as an unprivileged user', () => {
    const users = parsed.filter((i) => i.keyword === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    const last = users[users.length - 1];
    expect(last).not.toMatch(/^(root|0)(:|$)/);
    expect(Number(last.split(':')[0])).toBeGreaterThanOrEqual(1000);
    expect(parsed[parsed.length - 1].keyword).toBe('USER');
  });

  test.each(runs.map((run, index) => [index, run]))('RUN %i passes bash -n and shellcheck -S error', (_index, run) => {
    // The image's SHELL is bash with -euo pipefail; ARG values are environment variables of the RUN.
    const script = `set -euo pipefail\n${run}\n`;
    expect(bashSyntax(script)).toEqual({ ok: true, output: '' });
    expect(shellcheckErrors(script)).toEqual({ ok: true, output: '' });
  });

  test('the shell of every RUN fails fast', () => {
    expect(parsed.find((i) => i.keyword === 'SHELL')?.args).toBe('["/bin/bash", "-euo", "pipefail", "-c"]');
    expect(parsed.findIndex((i) => i.keyword === 'SHELL')).toBeLessThan(parsed.findIndex((i) => i.keyword === 'RUN'));
  });
});
