import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The account's id as a condition value, so a service can only use the key on this account's behalf. */
export function sourceAccountCondition(scope: Construct): Record<string, Record<string, string>> {
  return { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } };
}
