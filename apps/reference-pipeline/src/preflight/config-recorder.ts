import { DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand } from '@aws-sdk/client-config-service';
import { Check, CheckResult, PreflightContext } from './types';

const NAME = 'AWS Config recorder';

/**
 * The governance's Config rules evaluate only what a recorder records. A region holds one customer-managed
 * recorder, so the factory's own (governance.enableConfigRecorder) fits only where none exists.
 */
export const configRecorderCheck: Check = {
  name: NAME,
  async run(context: PreflightContext): Promise<CheckResult> {
    const { configService } = context.clients;
    const factoryRecords = context.config.governance.enableConfigRecorder;
    const recorders = (await configService.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? [];
    if (recorders.length === 0) {
      if (factoryRecords) {
        return { name: NAME, status: 'ok', detail: `none in ${context.region}; the factory creates one (governance.enableConfigRecorder: true)` };
      }
      return {
        name: NAME,
        status: 'blocker',
        detail: `none in ${context.region}: the factory's Config rules would never evaluate anything`,
        fix: "set governance.enableConfigRecorder: true, or set up your organisation's recorder in this region",
      };
    }
    const names = recorders.map((recorder) => recorder.name).join(', ');
    if (factoryRecords) {
      return {
        name: NAME,
        status: 'blocker',
        detail: `${names} already exists in ${context.region}, and governance.enableConfigRecorder: true would fail the deploy creating a second one`,
        fix: 'set governance.enableConfigRecorder: false (and keep the existing recorder recording)',
      };
    }
    const statuses = (await configService.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus ?? [];
    const recording = statuses.filter((status) => status.recording).map((status) => status.name);
    if (recording.length > 0) return { name: NAME, status: 'ok', detail: `${recording.join(', ')} recording in ${context.region}` };
    const stopped = recorders[0].name;
    return {
      name: NAME,
      status: 'blocker',
      detail: `${names} in ${context.region} is not recording`,
      fix: `aws configservice start-configuration-recorder --configuration-recorder-name ${stopped} (it needs a delivery channel)`,
    };
  },
};
