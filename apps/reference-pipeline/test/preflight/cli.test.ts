import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CodeStarConnectionsClient, GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ACCOUNT, awsError, clients, CONNECTION_ARN } from './support';
import { main, parseArgs } from '../../src/preflight/cli';
import { CHECKS } from '../../src/preflight/runner';
import { Probe } from '../../src/preflight/types';

const APP = join(__dirname, '..', '..');
const REFERENCE_CONFIG = join(APP, 'factory.config.yaml');
const EXAMPLE = join(APP, 'examples', 'three-applications.config.yaml');

const sts = mockClient(STSClient);
const ssm = mockClient(SSMClient);
const securityHub = mockClient(SecurityHubClient);
const configService = mockClient(ConfigServiceClient);
const connections = mockClient(CodeStarConnectionsClient);
const eks = mockClient(EKSClient);
const lambda = mockClient(LambdaClient);

/** An account where the reference configuration deploys: bootstrapped, Security Hub and a recorder on, clusters ready. */
function readyAccount() {
  for (const mock of [sts, ssm, securityHub, configService, connections, eks, lambda]) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:role/admin` });
  ssm.on(GetParameterCommand, { Name: '/cdk-bootstrap/hnb659fds/version' }).resolves({ Parameter: { Value: '28' } });
  ssm.on(GetParameterCommand, { Name: '/devsecops-factory/source/connection-arn' }).resolves({ Parameter: { Value: CONNECTION_ARN } });
  securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:aws:securityhub:eu-west-1:111122223333:hub/default' });
  configService.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [{ name: 'default' }] });
  configService.on(DescribeConfigurationRecorderStatusCommand).resolves({ ConfigurationRecordersStatus: [{ name: 'default', recording: true }] });
  connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionStatus: 'AVAILABLE' } });
  eks.on(DescribeClusterCommand).callsFake(({ name }) => ({
    cluster: {
      name,
      status: 'ACTIVE',
      version: '1.36',
      accessConfig: { authenticationMode: 'API' },
      resourcesVpcConfig: { endpointPublicAccess: true },
    },
  }));
  lambda.on(GetAccountSettingsCommand).resolves({ AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 } });
}

/** An app directory without cdk.out (so the result does not depend on a local synth) and an app repository. */
function workspace(): { appDir: string; appRepo: string } {
  const root = mkdtempSync(join(tmpdir(), 'preflight-cli-'));
  const appDir = join(root, 'app');
  mkdirSync(appDir);
  copyFileSync(REFERENCE_CONFIG, join(appDir, 'factory.config.yaml'));
  // The factory-owned policy the config names, relative to it.
  mkdirSync(join(appDir, 'policies'));
  copyFileSync(join(dirname(REFERENCE_CONFIG), 'policies', 'sample-app.yml'), join(appDir, 'policies', 'sample-app.yml'));
  const appRepo = join(root, 'repo');
  mkdirSync(join(appRepo, 'apps', 'sample-app'), { recursive: true });
  writeFileSync(join(appRepo, 'apps', 'sample-app', 'Dockerfile'), 'FROM public.ecr.aws/docker/library/node:22-bookworm-slim\n');
  return { appDir, appRepo };
}

const reachable: Probe = async () => ({ status: 401 });

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { appDir, appRepo } = workspace();
  const out: string[] = [];
  const err: string[] = [];
  const code = await main([...argv, '--app-repo', appRepo], { AWS_REGION: 'eu-west-1', ...env }, appDir, {
    clients: () => clients(),
    probe: reachable,
    print: (line) => out.push(line),
    printError: (line) => err.push(line),
  });
  return { code, out, err };
}

describe('npm run preflight', () => {
  test('prints a line per check and a summary, and exits 0 when the account is ready for the reference config', async () => {
    readyAccount();
    const { code, out } = await run([]);
    expect(out[0]).toMatch(/^Preflight for .*factory.config.yaml in eu-west-1$/);
    // The credentials line, one per check, the summary.
    expect(out.slice(1)).toHaveLength(CHECKS.length + 2);
    expect(out.slice(1, -1).every((line) => line.startsWith('✔ '))).toBe(true);
    expect(out.at(-1)).toBe(`${CHECKS.length + 1} ok, 0 warning(s), 0 blocker(s): ready to deploy`);
    expect(code).toBe(0);
  });

  test('exits 1 and prints the fix when one check finds a blocker', async () => {
    readyAccount();
    securityHub.on(DescribeHubCommand).rejects(awsError('InvalidAccessException'));
    const { code, out } = await run([]);
    expect(out).toContainEqual(
      expect.stringMatching(/^✖ Security Hub: not enabled in eu-west-1.* — fix: enable Security Hub: aws securityhub enable-security-hub/),
    );
    expect(code).toBe(1);
  });

  test('exits 2 naming the file and field of an invalid configuration, before any AWS call', async () => {
    readyAccount();
    const file = join(mkdtempSync(join(tmpdir(), 'preflight-bad-')), 'factory.config.yaml');
    writeFileSync(file, 'name: X\n');
    const { code, err } = await run(['--config', file]);
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/factory.config.yaml: source: /);
    expect(sts.calls()).toHaveLength(0);
  });

  test('exits 2 asking which application to check in a file with several, before any AWS call', async () => {
    readyAccount();
    const { code, err } = await run(['--config', EXAMPLE]);
    expect(code).toBe(2);
    expect(err).toEqual([`${EXAMPLE}: applications: give --application <name>, one of shop, billing-api, billing-worker`]);
    expect((await run(['--config', EXAMPLE, '--application', 'web'])).err).toEqual([
      `${EXAMPLE}: applications: no application web; one of shop, billing-api, billing-worker`,
    ]);
    expect(sts.calls()).toHaveLength(0);
  });

  test('checks the application --application names', async () => {
    readyAccount();
    const { out } = await run(['--config', EXAMPLE, '--application', 'billing-api']);
    // billing-api deploys to clusters by name: the EKS checks ask for them.
    expect(out[0]).toMatch(/three-applications\.config\.yaml in eu-west-1$/);
    expect(eks.commandCalls(DescribeClusterCommand).map((call) => call.args[0].input.name)).toContain('acme-staging');
  });

  test('exits 2 with the usage on an unknown argument', async () => {
    const { code, err } = await run(['--profile', 'x']);
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^unknown argument --profile\nusage: npm run preflight/);
  });
});

describe('preflight arguments', () => {
  test('defaults to the app\'s factory.config.yaml, the region variables, and the repository holding the app', () => {
    expect(parseArgs([], { AWS_DEFAULT_REGION: 'us-east-1' }, APP)).toEqual({
      configFile: REFERENCE_CONFIG,
      region: 'us-east-1',
      appRepository: join(APP, '..', '..'),
    });
  });

  test('--config beats FACTORY_CONFIG; relative paths are from where npm was started (INIT_CWD)', () => {
    const env = { FACTORY_CONFIG: 'env.yaml', INIT_CWD: '/home/me/factory', AWS_REGION: 'eu-west-1' };
    expect(parseArgs([], env, APP).configFile).toBe('/home/me/factory/env.yaml');
    expect(parseArgs(['--config=mine.yaml', '--region', 'eu-north-1'], env, APP)).toMatchObject({
      configFile: '/home/me/factory/mine.yaml',
      region: 'eu-north-1',
    });
  });
});
