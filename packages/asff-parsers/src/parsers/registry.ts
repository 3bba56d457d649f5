import type { Parser } from './parser';
import { PARSERS } from './registry.generated';

/**
 * Every parser is in PARSERS, generated from the folders of src/parsers/ (one
 * folder per parser, `npx projen docs:parsers`): the CLI, `--tool auto`
 * detection, conformance and the docs all read it.
 */
export { PARSERS };

/** The parser for a tool id, or undefined. */
export function findParser(id: string, parsers: readonly Parser[] = PARSERS): Parser | undefined {
  return parsers.find((p) => p.id === id);
}

/** All tool ids, in registration order. */
export function toolIds(parsers: readonly Parser[] = PARSERS): string[] {
  return parsers.map((p) => p.id);
}
