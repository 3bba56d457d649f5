import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ScanContext } from '../../src/asff/scan-context';
import { convert } from '../../src/convert';

export const FIXTURES = join(__dirname, '..', 'fixtures');

/** A fixed scan context so tests see deterministic timestamps. */
export const SCAN: ScanContext = {
  account: '123456789012',
  region: 'eu-west-1',
  partition: 'aws',
  repository: 'example-repo',
  branch: 'main',
  commit: '0123456789abcdef0123456789abcdef01234567',
  buildId: 'build:1',
  now: new Date('2026-01-02T03:04:05.000Z'),
};

export function fixture(tool: string, name: string): string {
  return join(FIXTURES, tool, name);
}

export function fixtureText(tool: string, name: string): string {
  return readFileSync(fixture(tool, name), 'utf8');
}

/** Converts a fixture file and collects the findings. */
export async function convertFixture(
  tool: string,
  name: string,
  options: { tool?: string; context?: Partial<ScanContext> } = {},
): Promise<AwsSecurityFinding[]> {
  return collect(convert({ tool: options.tool ?? tool, input: fixture(tool, name), context: { ...SCAN, ...options.context } }));
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
