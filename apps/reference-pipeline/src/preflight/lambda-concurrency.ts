import { GetAccountSettingsCommand } from '@aws-sdk/client-lambda';
import { Check, CheckResult, PreflightContext } from './types';

const NAME = 'Lambda concurrency';
/** Lambda refuses a reservation that would leave the account fewer unreserved executions than this. */
export const MINIMUM_UNRESERVED = 100;
/** The default quota of an established account; new accounts may start at 10. */
const DEFAULT_QUOTA = 1000;

/**
 * The findings processor reserves concurrency only when `reservedConcurrentExecutions` is passed to
 * FindingsProcessor (the reference app passes none); a reservation fails the deploy in a low-quota account.
 */
export const lambdaConcurrencyCheck: Check = {
  name: NAME,
  async run(context: PreflightContext): Promise<CheckResult> {
    const settings = await context.clients.lambda.send(new GetAccountSettingsCommand({}));
    const limit = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? limit;
    const reserved = context.assembly?.reservedConcurrentExecutions ?? 0;
    const source = context.assembly ? `the templates in ${context.assembly.dir}` : 'the reference app (src/stacks/factory-stack.ts)';
    const quotaFix = 'request a higher "Concurrent executions" quota in Service Quotas (AWS Lambda)';
    if (reserved > 0) {
      const left = unreserved - reserved;
      if (left < MINIMUM_UNRESERVED) {
        return {
          name: NAME,
          status: 'blocker',
          detail: `${source} reserve ${reserved}, leaving ${left} of ${unreserved} unreserved executions (Lambda requires ${MINIMUM_UNRESERVED})`,
          fix: `${quotaFix}, or drop FindingsProcessor's reservedConcurrentExecutions`,
        };
      }
      return { name: NAME, status: 'ok', detail: `reserving ${reserved} leaves ${left} unreserved executions (limit ${limit})` };
    }
    if (limit < DEFAULT_QUOTA) {
      return {
        name: NAME,
        status: 'warning',
        detail: `account limit ${limit} (new accounts may have 10); ${source} reserve none, `
          + 'so the deploy works, but imports from parallel builds may throttle',
        fix: quotaFix,
      };
    }
    return { name: NAME, status: 'ok', detail: `account limit ${limit}, ${source} reserve none` };
  },
};
