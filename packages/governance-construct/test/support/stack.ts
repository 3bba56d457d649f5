import { App, Stack } from 'aws-cdk-lib';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

/** A stack with a concrete environment, as a factory deployment has. */
export function newStack(): Stack {
  return new Stack(new App(), 'Governance', { env: { account: ACCOUNT, region: REGION } });
}

/** A stack without an environment: partition, region and account stay tokens. */
export function newAgnosticStack(): Stack {
  return new Stack(new App(), 'Governance');
}
