import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The README's main job, `npm run synth`, ends in `cdk synth --quiet` in this
 * folder: run the real CDK CLI against the real app, without AWS credentials.
 */
function cdkSynth(env: NodeJS.ProcessEnv = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'factory-synth-'));
  const { FACTORY_CONFIG: _unset, ...inherited } = process.env;
  const result = spawnSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], {
    cwd: join(__dirname, '..'),
    encoding: 'utf-8',
    env: { ...inherited, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', CDK_DISABLE_VERSION_CHECK: 'true', ...env },
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

  test('reads the file FACTORY_CONFIG names, and stops with one line per problem naming it when it is invalid', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'factory-config-')), 'broken.yaml');
    writeFileSync(file, 'source: { type: codecommit, repositoryName: app, branch: main }\n');
    const { status, stderr } = cdkSynth({ FACTORY_CONFIG: file });
    expect(status).not.toBe(0);
    expect(stderr).toContain(`${file}: image: `);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
