import { Duration } from 'aws-cdk-lib';
import { DastScanStage, ZapScanType } from '../src';
import { expectedStageBuildspec } from './support/buildspec-files';
import { importedSecret, newStack, stageDependencies } from './support/factory';
import { actionOverrides, renderStage } from './support/stage-template';

function render(props: Partial<ConstructorParameters<typeof DastScanStage>[2]> = {}) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const stage = new DastScanStage(stack, 'Dast', {
    ...deps,
    targetUrl: '#{DeployStaging.URL}',
    zapApiKey: importedSecret(stack, 'ZapKey', 'zap-api-key'),
    ...props,
  });
  return renderStage(stack, deps.input, stage.action, 'Dast');
}

describe('DastScanStage', () => {
  const { project, buildspec, environment, action } = render();

  test('runs a baseline scan with the canonical buildspec and a bounded ZAP run', () => {
    const { reports: _reports, ...rest } = buildspec;
    expect(rest).toEqual(expectedStageBuildspec('dast-scan.yml'));
    expect(environment.ZAP_SCAN_TYPE.Value).toBe('baseline');
    expect(environment.ZAP_TIMEOUT_MINUTES.Value).toBe('30');
    expect(project.Properties.TimeoutInMinutes).toBe(50);
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
  });

  test('reads the ZAP API key from Secrets Manager by reference', () => {
    expect(environment.ZAP_API_KEY).toEqual({
      Type: 'SECRETS_MANAGER',
      Value: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:zap-api-key-AbCdEf',
    });
  });

  test('without a ZAP API key, stores and grants no secret: each build draws its own', () => {
    const { environment: noKey, template } = render({ zapApiKey: undefined });
    expect(noKey.ZAP_API_KEY).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/secretsmanager/);
  });

  test('takes the target URL per execution, so it can be a pipeline variable', () => {
    expect(actionOverrides(action)).toEqual({ TARGET_URL: { type: 'PLAINTEXT', value: '#{DeployStaging.URL}' } });
    expect(environment.TARGET_URL).toBeUndefined();
  });

  test('runs an API scan against an OpenAPI definition with a longer timeout', () => {
    const api = render({ scanType: ZapScanType.API, apiDefinition: 'https://staging.example.com/openapi.json', scanTimeout: Duration.minutes(60) });
    expect([api.environment.ZAP_SCAN_TYPE.Value, api.environment.ZAP_API_DEFINITION.Value, api.environment.ZAP_TIMEOUT_MINUTES.Value])
      .toEqual(['api', 'https://staging.example.com/openapi.json', '60']);
    expect(api.project.Properties.TimeoutInMinutes).toBe(80);
  });

  test('refuses an API scan without a definition', () => {
    expect(() => render({ scanType: ZapScanType.API })).toThrow(/apiDefinition/);
  });
});
