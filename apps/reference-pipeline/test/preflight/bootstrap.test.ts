import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, awsError, context, REGION } from './support';
import { bootstrapCheck } from '../../src/preflight/bootstrap';

const ssm = mockClient(SSMClient);
beforeEach(() => ssm.reset());

function versionIs(value: string) {
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: value } });
}

describe('CDK bootstrap check', () => {
  test('ok when the bootstrap version meets the floor of 6 and says the app was not synthesized', async () => {
    versionIs('21');
    const result = await bootstrapCheck.run(context());
    expect(result.status).toBe('ok');
    expect(result.detail).toMatch(/version 21 >= 6 \(the CDK v2 floor/);
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/cdk-bootstrap/hnb659fds/version' });
  });

  test('blocker naming cdk bootstrap for the account and region when the version parameter is missing', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const result = await bootstrapCheck.run(context());
    expect(result.status).toBe('blocker');
    expect(result.fix).toBe(`npx cdk bootstrap aws://${ACCOUNT}/${REGION}`);
  });

  test('blocker when the account is bootstrapped below what the synthesized templates require', async () => {
    versionIs('19');
    const assembly = { dir: 'cdk.out', requiredBootstrapVersion: 21, reservedConcurrentExecutions: 0 };
    const result = await bootstrapCheck.run(context(undefined, { assembly }));
    expect(result.status).toBe('blocker');
    expect(result.detail).toBe('version 19 in /cdk-bootstrap/hnb659fds/version, 21 needed (required by the templates in cdk.out)');
    expect(result.fix).toMatch(/upgrades the bootstrap stack/);
  });

  test('reads the parameter of a custom qualifier from cdk.json context, and bootstraps with it', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const result = await bootstrapCheck.run(context(undefined, { bootstrapQualifier: 'factory1' }));
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/cdk-bootstrap/factory1/version' });
    expect(result.fix).toMatch(/--qualifier factory1$/);
  });

  test('the parameter the synthesizer wrote wins over the default qualifier', async () => {
    versionIs('6');
    const assembly = { dir: 'cdk.out', bootstrapVersionParameter: '/cdk-bootstrap/custom/version', reservedConcurrentExecutions: 0 };
    expect((await bootstrapCheck.run(context(undefined, { assembly }))).status).toBe('ok');
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({ Name: '/cdk-bootstrap/custom/version' });
  });
});
