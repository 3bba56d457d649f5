import { grypeParser } from './grype';
import type { Parser } from './parser';

/**
 * Every parser, in one list: the CLI, `--tool auto` detection, conformance
 * and the docs all read it. Adding a scanner = one import and one entry.
 */
export const PARSERS: readonly Parser[] = [
  grypeParser,
];

/** The parser for a tool id, or undefined. */
export function findParser(id: string, parsers: readonly Parser[] = PARSERS): Parser | undefined {
  return parsers.find((p) => p.id === id);
}

/** All tool ids, in registration order. */
export function toolIds(parsers: readonly Parser[] = PARSERS): string[] {
  return parsers.map((p) => p.id);
}
