import { MalformedInputError } from '../errors';
import type { Parser, ReportHead } from './parser';

/** One parser's claim on a report head. */
export interface Detection {
  readonly parser: Parser;
  readonly confidence: number;
}

/** Every parser's claim on a head, most confident first. A parser that throws makes no claim. */
export function rankParsers(head: ReportHead, parsers: readonly Parser[]): Detection[] {
  const claims: Detection[] = [];
  for (const parser of parsers) {
    let confidence: number | undefined;
    try {
      confidence = parser.detect(head);
    } catch {
      confidence = undefined;
    }
    if (confidence !== undefined && confidence > 0) claims.push({ parser, confidence: Math.min(1, confidence) });
  }
  return claims.sort((a, b) => b.confidence - a.confidence);
}

/**
 * The parser for `--tool auto`: the single most confident claim. No claim is
 * an unrecognised report; a tie is refused rather than guessed, because a
 * wrong guess would file findings under the wrong tool.
 */
export function detectParser(head: ReportHead, parsers: readonly Parser[]): Parser {
  const [best, second] = rankParsers(head, parsers);
  if (best === undefined) throw new MalformedInputError('unrecognised report: no parser recognises it (use --tool to name the tool)', 'unrecognised');
  if (second !== undefined && second.confidence === best.confidence) {
    throw new MalformedInputError(
      `ambiguous report: it could be ${best.parser.id} or ${second.parser.id} (use --tool to name the tool)`,
      'unrecognised',
    );
  }
  return best.parser;
}
