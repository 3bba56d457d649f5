import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ScanContext } from '../../src/asff/scan-context';
import { convert } from '../../src/convert';

/** Each parser's folder: `src/parsers/<tool>/` holds the parser, its doc text and its `fixtures/`. */
export const PARSERS_DIR = join(__dirname, '..', '..', 'src', 'parsers');

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
  return join(PARSERS_DIR, tool, 'fixtures', name);
}

/** The tools that have a fixtures folder. */
export function fixtureTools(): string[] {
  return readdirSync(PARSERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(PARSERS_DIR, entry.name, 'fixtures')))
    .map((entry) => entry.name);
}

/** Every fixture of every tool, as [tool, file name]. */
export function fixtureCases(): Array<[string, string]> {
  return fixtureTools().flatMap((tool) => readdirSync(join(PARSERS_DIR, tool, 'fixtures')).map((name): [string, string] => [tool, name]));
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
