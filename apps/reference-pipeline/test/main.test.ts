import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The README's main job, `npm run synth`, ends in `cdk synth --quiet` in this
 * folder: run the real CDK CLI against the real app, without AWS credentials.
 */
function cdkSynth(...args: string[]) {
  const outdir = mkdtempSync(join(tmpdir(), 'factory-synth-'));
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir, ...args], {
    cwd: join(__dirname, '..'),
    encoding: 'utf-8',
    env: { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', CDK_DISABLE_VERSION_CHECK: 'true' },
  });
  return { ...result, outdir };
}

describe('cdk synth of the reference factory', () => {
  test('writes the factory template and prints the stacks and a passing compliance summary', () => {
    const { status, stderr, outdir } = cdkSynth();
    expect(status).toBe(0);
    expect(existsSync(join(outdir, 'DevSecOpsFactory.template.json'))).toBe(true);
    expect(stderr).toMatch(/^Stacks: DevSecOpsFactory$/m);
    expect(stderr).toMatch(/^ {2}AwsSolutions +PASS$/m);
    expect(stderr).toMatch(/^ {2}NIST\.800\.53\.R5 +PASS$/m);
    expect(stderr).toMatch(/^Acknowledged with a specific reason: \d+$/m);
  });

  test('stops with one line per problem, naming the file, on an invalid configuration', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factory-config-')), 'broken.yaml');
    writeFileSync(file, 'source: { type: codecommit, repositoryName: app, branch: main }\n');
    const { status, stderr } = cdkSynth('--context', `config=${file}`);
    expect(status).not.toBe(0);
    expect(stderr).toContain(`${file}: image: `);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
