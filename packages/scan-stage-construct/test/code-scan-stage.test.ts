import { BuildSecret, CodeScanStage, SastTool } from '../src';
import { expectedStageBuildspec } from './support/buildspec-files';
import { newStack, stageDependencies } from './support/factory';
import { renderStage } from './support/stage-template';

function render(props: Partial<ConstructorParameters<typeof CodeScanStage>[2]> = {}) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const stage = new CodeScanStage(stack, 'Code', { ...deps, ...props });
  return renderStage(stack, deps.input, stage.action, 'Code');
}

describe('CodeScanStage', () => {
  test('runs Semgrep and hadolint by default with the canonical buildspec, unprivileged', () => {
    const { buildspec, environment, project } = render();
    const { reports: _reports, ...rest } = buildspec;
    expect(rest).toEqual(expectedStageBuildspec('code-scan.yml'));
    expect(environment).toEqual(expect.objectContaining({
      SAST_TOOL: { Type: 'PLAINTEXT', Value: 'semgrep' },
      SEMGREP_CONFIG: { Type: 'PLAINTEXT', Value: 'p/default' },
      HADOLINT_ENABLED: { Type: 'PLAINTEXT', Value: 'true' },
      DOCKERFILE_PATH: { Type: 'PLAINTEXT', Value: 'Dockerfile' },
      STAGE_NAME: { Type: 'PLAINTEXT', Value: 'code' },
    }));
    expect(environment.SNYK_TOKEN).toBeUndefined();
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    expect(project.Properties.TimeoutInMinutes).toBe(30);
  });

  test('passes the Snyk token as an SSM SecureString reference, never its value', () => {
    const { environment, template } = render({ sastTool: SastTool.SNYK_CODE, snykToken: BuildSecret.fromSsmSecureString('/factory/snyk-token') });
    expect(environment.SNYK_TOKEN).toEqual({ Type: 'PARAMETER_STORE', Value: '/factory/snyk-token' });
    expect(environment.SAST_TOOL.Value).toBe('snyk-code');
    expect(JSON.stringify(template.toJSON())).toContain(':parameter/factory/snyk-token');
  });

  test('refuses Snyk Code without a token', () => {
    expect(() => render({ sastTool: SastTool.SNYK_CODE })).toThrow(/snykToken/);
  });

  test('can run Bandit with hadolint turned off and another Dockerfile', () => {
    const { environment } = render({ sastTool: SastTool.BANDIT, hadolint: false, dockerfile: 'docker/app.Dockerfile' });
    expect([environment.SAST_TOOL.Value, environment.HADOLINT_ENABLED.Value, environment.DOCKERFILE_PATH.Value])
      .toEqual(['bandit', 'false', 'docker/app.Dockerfile']);
  });
});
