import { anchoreParser } from './anchore';
import { ecrParser } from './ecr';
import { gitSecretsParser } from './git-secrets';
import { grypeParser } from './grype';
import { inspector2Parser } from './inspector2';
import type { Parser } from './parser';
import { sarifParser } from './sarif';
import { snykParser } from './snyk';
import { snykCodeParser } from './snyk-code';
import { zapParser } from './zap';

/**
 * Every parser, in one list: the CLI, `--tool auto` detection, conformance
 * and the docs all read it. Adding a scanner = one import and one entry.
 */
export const PARSERS: readonly Parser[] = [
  zapParser,
  snykParser,
  snykCodeParser,
  anchoreParser,
  grypeParser,
  ecrParser,
  inspector2Parser,
  gitSecretsParser,
  sarifParser,
];

/** The parser for a tool id, or undefined. */
export function findParser(id: string, parsers: readonly Parser[] = PARSERS): Parser | undefined {
  return parsers.find((p) => p.id === id);
}

/** All tool ids, in registration order. */
export function toolIds(parsers: readonly Parser[] = PARSERS): string[] {
  return parsers.map((p) => p.id);
}
