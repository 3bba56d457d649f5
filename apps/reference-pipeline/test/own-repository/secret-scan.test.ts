import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load';

/**
 * The reference factory scans this very repository (factory.config.yaml: source.repository is a fork of it),
 * so the repository must pass its own secrets stage: git-secrets with the AWS patterns over the whole
 * history, allowing only the factory config's patterns, exactly as the secrets-scan buildspec registers them.
 * Run on a clone, so that registering the patterns never touches this checkout's git config.
 */
const repositoryRoot = join(__dirname, '..', '..', '..', '..');
const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));

function scanHistory(allowed: string[]): { status: number; matches: string[] } {
  const clone = mkdtempSync(join(tmpdir(), 'own-secret-scan-'));
  try {
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repositoryRoot, clone]);
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: clone };
    execFileSync('git', ['secrets', '--register-aws'], { cwd: clone, env });
    for (const pattern of allowed) execFileSync('git', ['config', '--add', 'secrets.allowed', pattern], { cwd: clone, env });
    const result = spawnSync('git', ['secrets', '--scan-history'], { cwd: clone, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    // Matches are commit:path:line:text; only commit and path are kept, the text may be a secret.
    const matches = `${result.stdout}${result.stderr}`.split('\n')
      .filter((line) => /^[0-9a-f]{40}:/.test(line))
      .map((line) => line.split(':').slice(0, 2).join(':'));
    return { status: result.status ?? -1, matches };
  } finally {
    rmSync(clone, { recursive: true, force: true });
  }
}

describe('this repository, scanned by its own secrets stage', () => {
  test('passes: every fake key and example account id in its history is on the factory\'s allow list', () => {
    const { status, matches } = scanHistory(config.scanners.secrets.allowedPatterns);
    expect(matches).toEqual([]);
    expect(status).toBe(0);
  });

  test('would fail without that allow list (the patterns are what make it pass)', () => {
    const { status, matches } = scanHistory([]);
    expect(status).toBe(1);
    expect(matches.length).toBeGreaterThan(100);
  });
});
