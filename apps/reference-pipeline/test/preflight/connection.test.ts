import { CodeStarConnectionsClient, GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, CONNECTION_ARN, context } from './support';
import { connectionCheck } from '../../src/preflight/connection';

const connections = mockClient(CodeStarConnectionsClient);
const ssm = mockClient(SSMClient);
beforeEach(() => {
  connections.reset();
  ssm.reset();
});

const fromParameter = (raw: Record<string, any>) => {
  delete raw.source.connectionArn;
  raw.source.connectionArnParameter = '/factory/connection-arn';
};

describe('source connection check', () => {
  test('ok when the connection is AVAILABLE, asked in the region its ARN names', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionArn: CONNECTION_ARN, ConnectionStatus: 'AVAILABLE' } });
    expect((await connectionCheck.run(context())).status).toBe('ok');
    const call = connections.commandCalls(GetConnectionCommand)[0];
    expect(call.args[0].input).toEqual({ ConnectionArn: CONNECTION_ARN });
    expect(await (call.thisValue as CodeStarConnectionsClient).config.region()).toBe('eu-central-1');
  });

  test('blocker telling to complete the handshake while the connection is PENDING', async () => {
    connections.on(GetConnectionCommand).resolves({ Connection: { ConnectionArn: CONNECTION_ARN, ConnectionStatus: 'PENDING' } });
    const result = await connectionCheck.run(context());
    expect(result.status).toBe('blocker');
    expect(result.fix).toMatch(/^complete the handshake in the console/);
  });

  test('blocker when the connection does not exist', async () => {
    connections.on(GetConnectionCommand).rejects(awsError('ResourceNotFoundException'));
    expect(await connectionCheck.run(context())).toMatchObject({ status: 'blocker', detail: `${CONNECTION_ARN} not found` });
  });

  test('reads the ARN from source.connectionArnParameter, as the deploy does', async () => {
    ssm.on(GetParameterCommand, { Name: '/factory/connection-arn' }).resolves({ Parameter: { Value: CONNECTION_ARN } });
    connections.on(GetConnectionCommand, { ConnectionArn: CONNECTION_ARN }).resolves({ Connection: { ConnectionStatus: 'AVAILABLE' } });
    expect((await connectionCheck.run(context(fromParameter))).status).toBe('ok');
  });

  test('blocker with the put-parameter command when that SSM parameter is missing', async () => {
    ssm.on(GetParameterCommand).rejects(awsError('ParameterNotFound'));
    const result = await connectionCheck.run(context(fromParameter));
    expect(result.status).toBe('blocker');
    expect(result.fix).toBe('aws ssm put-parameter --name /factory/connection-arn --type String --value <connection ARN>');
    expect(connections.calls()).toHaveLength(0);
  });

  test('skips CodeCommit sources, which need no connection', async () => {
    const result = await connectionCheck.run(context((raw) => {
      raw.source = { type: 'codecommit', repositoryName: 'shop', branch: 'main' };
    }));
    expect(result).toMatchObject({ status: 'ok', detail: 'not needed: CodeCommit source' });
    expect(connections.calls()).toHaveLength(0);
  });
});
