import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { FindingsComparison, FindingsFilter } from '../approval/findings-filter';

const CONSOLE_DOMAINS: Record<string, string> = {
  'aws': 'console.aws.amazon.com',
  'aws-us-gov': 'console.amazonaws-us-gov.com',
  'aws-cn': 'console.amazonaws.cn',
};
const PIPELINE_VARIABLE = /(#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\})/;
const FIELD = /^[A-Za-z][A-Za-z0-9.]*$/;

/** The AWS management console host of a partition. */
export function consoleDomain(partition: string): string {
  const domain = CONSOLE_DOMAINS[partition];
  if (domain === undefined) {
    throw new Error(`no known console for partition '${partition}'`);
  }
  return domain;
}

/**
 * URL of the Security Hub findings view of the stack's region, filtered.
 * The console host follows the partition of the stack's region, through a
 * CloudFormation mapping when the region is only known at deploy time.
 */
export function securityHubFindingsUrl(scope: Construct, filters: FindingsFilter[]): string {
  const stack = Stack.of(scope);
  const partition = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).partition;
  const domain = partition === undefined
    ? consoleDomainMapping(stack).findInMap(Aws.PARTITION, 'domain')
    : consoleDomain(partition);
  const search = filters.map(encodeFilter).join('%26');
  return `https://${domain}/securityhub/home?region=${stack.region}#/findings?search=${search}`;
}

/**
 * The console reads `Field=\operator\:EQUALS\:value` (map fields:
 * `Field=\key\=K\:\operator\:EQUALS\:value`), URL-encoded twice. Pipeline
 * variables stay verbatim so CodePipeline can substitute them; what they
 * resolve to (a commit SHA, a digest) needs no encoding.
 */
export function encodeFilter(filter: FindingsFilter): string {
  const comparison = filter.comparison ?? FindingsComparison.EQUALS;
  if (!FIELD.test(filter.field) || (filter.key !== undefined && !FIELD.test(filter.key))) {
    throw new Error(`not a Security Hub filter field: '${filter.field}${filter.key === undefined ? '' : `.${filter.key}`}'`);
  }
  const key = filter.key === undefined ? '' : `\\key\\=${filter.key}\\:`;
  const inner = `${encodeURIComponent(`${key}\\operator\\:${comparison}\\:`)}`;
  return `${filter.field}%3D${encodeURIComponent(inner)}${encodeValue(filter.value)}`;
}

function encodeValue(value: string): string {
  if (Token.isUnresolved(value)) {
    return value;
  }
  return value.split(PIPELINE_VARIABLE)
    .map((part) => PIPELINE_VARIABLE.test(part) ? part : encodeURIComponent(encodeURIComponent(part)))
    .join('');
}

function consoleDomainMapping(stack: Stack): CfnMapping {
  const id = 'SecurityHubConsoleDomains';
  const existing = stack.node.tryFindChild(id) as CfnMapping | undefined;
  return existing ?? new CfnMapping(stack, id, {
    mapping: Object.fromEntries(Object.entries(CONSOLE_DOMAINS).map(([partition, domain]) => [partition, { domain }])),
  });
}
