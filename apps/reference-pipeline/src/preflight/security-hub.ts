import { DescribeHubCommand } from '@aws-sdk/client-securityhub';
import { Check, CheckResult, PreflightContext, errorName } from './types';

const NAME = 'Security Hub';
/** What DescribeHub answers in an account or region where Security Hub is not enabled. */
const NOT_ENABLED = new Set(['InvalidAccessException', 'ResourceNotFoundException']);

/**
 * Every scan report is imported with BatchImportFindings, which fails while Security Hub is off. The factory can
 * enable it (governance.enableSecurityHub), but only where it is not on yet: the stack fails on an enabled hub.
 */
export const securityHubCheck: Check = {
  name: NAME,
  async run(context: PreflightContext): Promise<CheckResult> {
    const factoryEnables = context.config.governance.enableSecurityHub;
    let hubArn: string | undefined;
    try {
      hubArn = (await context.clients.securityHub.send(new DescribeHubCommand({}))).HubArn;
    } catch (error) {
      if (!NOT_ENABLED.has(errorName(error) ?? '')) throw error;
      if (factoryEnables) {
        return { name: NAME, status: 'ok', detail: `not enabled in ${context.region}; the factory enables it (governance.enableSecurityHub: true)` };
      }
      return {
        name: NAME,
        status: 'blocker',
        detail: `not enabled in ${context.region}: every findings import would fail into the dead-letter queue`,
        fix: 'enable Security Hub: aws securityhub enable-security-hub (or set governance.enableSecurityHub: true)',
      };
    }
    if (factoryEnables) {
      return {
        name: NAME,
        status: 'blocker',
        detail: `already enabled in ${context.region} (${hubArn}), and governance.enableSecurityHub: true would fail the deploy enabling it again`,
        fix: 'set governance.enableSecurityHub: false',
      };
    }
    return { name: NAME, status: 'ok', detail: `enabled in ${context.region}` };
  },
};
