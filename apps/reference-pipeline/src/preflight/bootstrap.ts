import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { Check, CheckResult, PreflightContext, errorName } from './types';

/** The CDK's default bootstrap qualifier. */
export const DEFAULT_QUALIFIER = 'hnb659fds';
/** Bootstrap version required by current CDK v2 stack synthesizers: the floor when the app was not synthesized. */
export const MINIMUM_BOOTSTRAP_VERSION = 6;

const NAME = 'CDK bootstrap';

/** The bootstrap stack's version parameter exists and is at least what the synthesized templates require. */
export const bootstrapCheck: Check = {
  name: NAME,
  async run(context: PreflightContext): Promise<CheckResult> {
    const { assembly } = context;
    const parameter = assembly?.bootstrapVersionParameter
      ?? `/cdk-bootstrap/${context.bootstrapQualifier ?? DEFAULT_QUALIFIER}/version`;
    const required = assembly?.requiredBootstrapVersion ?? MINIMUM_BOOTSTRAP_VERSION;
    const requiredBy = assembly?.requiredBootstrapVersion !== undefined
      ? `required by the templates in ${assembly.dir}`
      : 'the CDK v2 floor; run npm run synth first to read the templates\' own requirement';
    const bootstrap = `npx cdk bootstrap aws://${context.account}/${context.region}`;
    let version: number;
    try {
      const response = await context.clients.ssm.send(new GetParameterCommand({ Name: parameter }));
      version = Number(response.Parameter?.Value);
    } catch (error) {
      if (errorName(error) !== 'ParameterNotFound') throw error;
      return {
        name: NAME,
        status: 'blocker',
        detail: `not bootstrapped: ${parameter} not found in ${context.region}`,
        fix: context.bootstrapQualifier ? `${bootstrap} --qualifier ${context.bootstrapQualifier}` : bootstrap,
      };
    }
    if (!Number.isFinite(version) || version < required) {
      return {
        name: NAME,
        status: 'blocker',
        detail: `version ${Number.isFinite(version) ? version : '(unreadable)'} in ${parameter}, ${required} needed (${requiredBy})`,
        fix: `${bootstrap} (re-running it upgrades the bootstrap stack)`,
      };
    }
    return { name: NAME, status: 'ok', detail: `version ${version} >= ${required} (${requiredBy})` };
  },
};
