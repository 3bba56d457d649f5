import { GetConnectionCommand } from '@aws-sdk/client-codestar-connections';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { Check, CheckResult, PreflightContext, errorName } from './types';

const NAME = 'Source connection';

/**
 * The Source action fails on a connection that is not AVAILABLE: a connection created from the CLI or CloudFormation
 * stays PENDING until someone completes the provider handshake in the console.
 */
export const connectionCheck: Check = {
  name: NAME,
  async run(context: PreflightContext): Promise<CheckResult> {
    const source = context.config.source;
    if (source.type !== 'codeconnections') {
      return { name: NAME, status: 'ok', detail: 'not needed: CodeCommit source' };
    }
    let arn = source.connectionArn;
    if (!arn) {
      const parameter = source.connectionArnParameter!;
      try {
        arn = (await context.clients.ssm.send(new GetParameterCommand({ Name: parameter }))).Parameter?.Value;
      } catch (error) {
        if (errorName(error) !== 'ParameterNotFound') throw error;
      }
      if (!arn) {
        return {
          name: NAME,
          status: 'blocker',
          detail: `SSM parameter ${parameter} (source.connectionArnParameter) not found in ${context.region}: the deploy resolves the ARN from it`,
          fix: `aws ssm put-parameter --name ${parameter} --type String --value <connection ARN>`,
        };
      }
    }
    // The ARN names the connection's region, which may differ from the factory's.
    const connectionRegion = arn.split(':')[3] || context.region;
    let status: string | undefined;
    try {
      const response = await context.clients.connections(connectionRegion).send(new GetConnectionCommand({ ConnectionArn: arn }));
      status = response.Connection?.ConnectionStatus;
    } catch (error) {
      if (errorName(error) !== 'ResourceNotFoundException') throw error;
      return {
        name: NAME,
        status: 'blocker',
        detail: `${arn} not found`,
        fix: 'create the connection (Developer Tools → Settings → Connections) and put its ARN in the config or its SSM parameter',
      };
    }
    if (status === 'AVAILABLE') return { name: NAME, status: 'ok', detail: `${arn} AVAILABLE` };
    if (status === 'PENDING') {
      return {
        name: NAME,
        status: 'blocker',
        detail: `${arn} is PENDING`,
        fix: 'complete the handshake in the console: Developer Tools → Settings → Connections → the connection → Update pending connection',
      };
    }
    return {
      name: NAME,
      status: 'blocker',
      detail: `${arn} is ${status ?? 'in an unknown state'}`,
      fix: 'check the connection in the console (Developer Tools → Settings → Connections); recreate it if the provider app was removed',
    };
  },
};
