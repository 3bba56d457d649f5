import {
  ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { context } from './support';
import { configRecorderCheck } from '../../src/preflight/config-recorder';

const configService = mockClient(ConfigServiceClient);
beforeEach(() => configService.reset());

const recordByFactory = (raw: Record<string, any>) => { raw.governance = { enableConfigRecorder: true }; };

function recorder(recording: boolean) {
  configService.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [{ name: 'default' }] });
  configService.on(DescribeConfigurationRecorderStatusCommand).resolves({ ConfigurationRecordersStatus: [{ name: 'default', recording }] });
}

describe('AWS Config recorder check', () => {
  test('ok when a recorder is recording', async () => {
    recorder(true);
    expect(await configRecorderCheck.run(context())).toMatchObject({ status: 'ok', detail: 'default recording in eu-west-1' });
  });

  test('blocker when the region has no recorder and the factory does not create one', async () => {
    configService.on(DescribeConfigurationRecordersCommand).resolves({ ConfigurationRecorders: [] });
    const result = await configRecorderCheck.run(context());
    expect(result).toMatchObject({ status: 'blocker', detail: expect.stringMatching(/^none in eu-west-1/) });
    expect(result.fix).toMatch(/governance.enableConfigRecorder: true/);
  });

  test('blocker with the start command when the recorder exists but is stopped', async () => {
    recorder(false);
    const result = await configRecorderCheck.run(context());
    expect(result.status).toBe('blocker');
    expect(result.fix).toMatch(/^aws configservice start-configuration-recorder --configuration-recorder-name default/);
  });

  test('ok without a recorder when governance.enableConfigRecorder creates the factory\'s own', async () => {
    configService.on(DescribeConfigurationRecordersCommand).resolves({});
    expect((await configRecorderCheck.run(context(recordByFactory))).status).toBe('ok');
  });

  test('blocker when the factory would create a second recorder in a region that holds one', async () => {
    recorder(true);
    const result = await configRecorderCheck.run(context(recordByFactory));
    expect(result.status).toBe('blocker');
    expect(result.fix).toMatch(/^set governance.enableConfigRecorder: false/);
  });
});
