import { FactoryDashboardProps } from '@devsecops-factory/governance-construct';
import { FindingsProcessor } from '@devsecops-factory/scan-stage-construct';

/**
 * The scan stages' `policyStage` (each stage's default: the pipeline sets none), the `Stage` dimension of the
 * findings processor's metrics: one line each in the dashboard's open findings by stage.
 */
export const SCAN_STAGE_NAMES = ['secrets', 'code', 'image', 'ecr', 'dast'];

/**
 * The factory dashboard (governance `dashboard`): findings from the processor's metrics, the processor's
 * errors and dead-letter queue; the pipelines are the governance's.
 */
export function factoryDashboard(findings: FindingsProcessor): FactoryDashboardProps {
  return {
    stages: SCAN_STAGE_NAMES,
    processorFunction: findings.function,
    deadLetterQueues: [findings.deadLetterQueue],
  };
}
