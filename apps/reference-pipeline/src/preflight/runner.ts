import { bootstrapCheck } from './bootstrap';
import { clusterCheck } from './cluster';
import { configRecorderCheck } from './config-recorder';
import { connectionCheck } from './connection';
import { checkCredentials } from './credentials';
import { ecrRepositoryCheck } from './ecr-repository';
import { lambdaConcurrencyCheck } from './lambda-concurrency';
import { registriesCheck } from './registries';
import { securityHubCheck } from './security-hub';
import { Check, CheckResult, PreflightContext, errorName } from './types';

/** Every check, in the order the checklist prints them. */
export const CHECKS: readonly Check[] = [
  bootstrapCheck,
  securityHubCheck,
  configRecorderCheck,
  connectionCheck,
  clusterCheck('staging'),
  clusterCheck('production'),
  ecrRepositoryCheck,
  lambdaConcurrencyCheck,
  registriesCheck,
];

/**
 * Runs the credentials check, then every check (in parallel: all read-only). A check that throws (AccessDenied,
 * throttling, a network error) could not confirm anything, so it is reported as a blocker naming the error.
 */
export async function runPreflight(context: Omit<PreflightContext, 'account'>, checks: readonly Check[] = CHECKS): Promise<CheckResult[]> {
  const credentials = await checkCredentials(context.clients.sts, context.region);
  const account = credentials.account ?? '';
  const results = await Promise.all(checks.map((check) => (credentials.account || check.offline
    ? runOne(check, { ...context, account })
    : Promise.resolve<CheckResult>({
      name: check.name, status: 'blocker', detail: 'not run: no AWS credentials', fix: 'see AWS credentials above',
    }))));
  return [credentials.result, ...results];
}

async function runOne(check: Check, context: PreflightContext): Promise<CheckResult> {
  try {
    return await check.run(context);
  } catch (error) {
    return {
      name: check.name,
      status: 'blocker',
      detail: `could not check (${errorName(error) ?? 'Error'}: ${(error as Error).message})`,
      fix: 'allow the read-only call for these credentials (see docs/deploy.md, "Before the first deploy"), then run preflight again',
    };
  }
}

const MARKS = { ok: '✔', warning: '⚠', blocker: '✖' } as const;

/** One line per check, the fix after each blocker and warning, then a summary line. */
export function formatChecklist(results: readonly CheckResult[]): string[] {
  const lines = results.map((result) => {
    const fix = result.status !== 'ok' && result.fix ? ` — fix: ${result.fix}` : '';
    return `${MARKS[result.status]} ${result.name}: ${result.detail}${fix}`;
  });
  const count = (status: CheckResult['status']) => results.filter((result) => result.status === status).length;
  const blockers = count('blocker');
  const tally = `${count('ok')} ok, ${count('warning')} warning(s), ${blockers} blocker(s)`;
  lines.push(blockers > 0 ? `${tally}: fix the blockers before cdk deploy` : `${tally}: ready to deploy`);
  return lines;
}

/** 1 when any check found a blocker, else 0. */
export function exitCode(results: readonly CheckResult[]): number {
  return results.some((result) => result.status === 'blocker') ? 1 : 0;
}
