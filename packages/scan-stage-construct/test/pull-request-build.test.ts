import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import {
  BuildSecret, CodeScanStage, DEFAULT_FACTORY_POLICY, EcrScanStage, FeedbackProvider, ImageScanStage, SecretsScanStage,
} from '../src';
import { importedRepository, importedSecret, newStack, stageDependencies } from './support/factory';
import { renderStage } from './support/stage-template';
import { GATE_STAGE, installCommand, installPostFeedback } from '../src/private/buildspec';
import { pullRequestPolicy } from '../src/private/pull-request-build';

/** One stack with a pull-request code scan (with GitHub feedback), synthesized once. */
function renderPullRequestStage() {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const stage = new CodeScanStage(stack, 'Code', {
    ...deps,
    sourceRepository: 'shop',
    sourceBranch: '#{Source.BranchName}',
    pullRequest: {
      baselineBranch: 'main',
      feedback: {
        provider: FeedbackProvider.GITHUB,
        repository: 'octo/shop',
        token: BuildSecret.fromSecretsManager(importedSecret(stack, 'Token', 'github-token')),
      },
    },
  });
  return renderStage(stack, deps.input, stage.action, 'Code');
}

describe('a scan stage run as a pull-request check', () => {
  const rendered = renderPullRequestStage();
  const statements = Object.values<any>(rendered.template.toJSON().Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .flatMap((p) => p.Properties.PolicyDocument.Statement);

  test('uploads nothing, reads the default branch\'s baseline and names the provider; the token is a Secrets Manager reference', () => {
    expect(rendered.environment).toEqual(expect.objectContaining({
      REPORTS_UPLOAD: { Type: 'PLAINTEXT', Value: 'false' },
      BASELINE_BRANCH: { Type: 'PLAINTEXT', Value: 'main' },
      FEEDBACK_PROVIDER: { Type: 'PLAINTEXT', Value: 'github' },
      FEEDBACK_API_URL: { Type: 'PLAINTEXT', Value: 'https://api.github.com' },
      FEEDBACK_REPOSITORY: { Type: 'PLAINTEXT', Value: 'octo/shop' },
      FEEDBACK_TOKEN: { Type: 'SECRETS_MANAGER', Value: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:github-token-AbCdEf' },
    }));
  });

  test('gates every stage in mode new with the factory policy\'s thresholds', () => {
    const policy = YAML.parse(Buffer.from(String(rendered.environment.FACTORY_POLICY_B64.Value), 'base64').toString('utf8'));
    const original = YAML.parse(DEFAULT_FACTORY_POLICY);
    expect(policy.gate.mode).toBe('new');
    expect(policy.stages).toEqual(original.stages);
  });

  test('its role may not write to the reports bucket and reads findings with GetFindings only', () => {
    expect(statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:Put')))
      .filter((s) => JSON.stringify(s.Resource).includes('SharedReports'))).toEqual([]);
    expect(statements).toContainEqual(expect.objectContaining({ Action: 'securityhub:GetFindings', Resource: '*' }));
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('securityhub:'))).toEqual(['securityhub:GetFindings']);
  });

  test('installs gate-stage and post-feedback in the install phase, after the asff CLI', () => {
    expect(rendered.buildspec.phases.install.commands.slice(1, 3)).toEqual([installCommand(GATE_STAGE, 'gate-stage'), installPostFeedback()]);
  });
});

test('a pull-request build\'s policy puts every stage in mode new and keeps thresholds, SLAs and suppressions', () => {
  const policy = [
    'version: 1',
    'stages:',
    '  code: { threshold: HIGH, mode: all }',
    '  image: MEDIUM',
    'gate:',
    '  mode: sla',
    '  sla: { CRITICAL: 7d }',
    'suppressions:',
    '  - { rule: CVE-2024-0001, reason: accepted, expires: 2027-01-01 }',
  ].join('\n');
  expect(YAML.parse(pullRequestPolicy(policy))).toEqual({
    version: 1,
    stages: { code: { threshold: 'HIGH', mode: 'new' }, image: 'MEDIUM' },
    gate: { mode: 'new', sla: { CRITICAL: '7d' } },
    suppressions: [{ rule: 'CVE-2024-0001', reason: 'accepted', expires: '2027-01-01' }],
  });
  expect(YAML.parse(pullRequestPolicy('version: 1\ndefault: HIGH\n'))).toEqual({ version: 1, default: 'HIGH', gate: { mode: 'new' } });
  expect(() => pullRequestPolicy('version: 1\nstages: [\n')).toThrow(/^factoryPolicy is not valid YAML: /);
});

test.each([
  ['post-feedback', installPostFeedback(), 'post-feedback.sh'],
  ['gate-stage', installCommand(GATE_STAGE, 'gate-stage'), 'gate-stage.sh'],
])('the install command writes %s byte for byte, executable', (name, install, script) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `install-${name}-`));
  try {
    const command = install.split(`/usr/local/bin/${name}`).join(`${dir}/${name}`);
    expect(spawnSync('bash', ['-c', command]).status).toBe(0);
    expect(fs.readFileSync(`${dir}/${name}`, 'utf8')).toBe(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'buildspecs', script), 'utf8'));
    expect((fs.statSync(`${dir}/${name}`).mode % 0o1000).toString(8)).toBe('755');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('refuses', () => {
  test('a stage that publishes (ECR) as a pull-request check', () => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    const image = new ImageScanStage(stack, 'Image', deps);
    expect(() => new EcrScanStage(stack, 'Ecr', {
      ...deps, imageArtifact: image.imageArtifact, ecrRepository: importedRepository(stack), pullRequest: { baselineBranch: 'main' },
    })).toThrow('pullRequest: the EcrScan stage publishes or deploys; only the secrets, code and image scans run for a pull request');
  });

  test.each([
    [{ baselineBranch: 'main branch' }, "pullRequest.baselineBranch: 'main branch' is not a git branch name"],
    [{ baselineBranch: 'main', feedback: { apiUrl: 'http://api.github.com' } }, 'must be an https:// URL'],
    [{ baselineBranch: 'main', feedback: { apiUrl: 'https://user:pw@git.example.com/api/v3' } }, 'must be an https:// URL without credentials'],
    [{ baselineBranch: 'main', feedback: { repository: 'octo' } }, "pullRequest.feedback.repository: 'octo' must be owner/name"],
  ])('bad settings %j', (pullRequest: any, message) => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    const feedback = pullRequest.feedback
      ? { provider: FeedbackProvider.GITHUB, repository: 'octo/shop', token: BuildSecret.fromSsmSecureString('/t'), ...pullRequest.feedback }
      : undefined;
    expect(() => new SecretsScanStage(stack, 'Secrets', { ...deps, pullRequest: { ...pullRequest, feedback } })).toThrow(message);
  });
});
