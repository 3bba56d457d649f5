import { StringDecoder } from 'node:string_decoder';
import type { ReportSource } from './report-source';

/** Longest line kept whole; the rest of a longer line is dropped (a text report line is never legitimately this long). */
export const MAX_LINE_CHARS = 1024 * 1024;

/** One line of a text report, without its line terminator. */
export interface TextLine {
  /** 1-based line number. */
  readonly number: number;
  readonly text: string;
  /** True when the line was longer than MAX_LINE_CHARS and was cut. */
  readonly truncated: boolean;
}

/** Streams a text report line by line (`\n` or `\r\n`), holding at most one line in memory. */
export async function* streamLines(source: ReportSource, maxLineChars = MAX_LINE_CHARS): AsyncGenerator<TextLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let truncated = false;
  let number = 0;
  const emit = (raw: string): TextLine => {
    number++;
    const cut = truncated || raw.length > maxLineChars;
    const text = raw.length > maxLineChars ? raw.slice(0, maxLineChars) : raw;
    const line = { number, text: text.endsWith('\r') ? text.slice(0, -1) : text, truncated: cut };
    truncated = false;
    return line;
  };
  for await (const chunk of source) {
    const text = decoder.write(chunk);
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline >= 0) {
      const piece = pending + text.slice(start, newline);
      pending = '';
      yield emit(piece);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    pending += text.slice(start);
    if (pending.length > maxLineChars) {
      pending = pending.slice(0, maxLineChars);
      truncated = true;
      // Keep reading until the newline, discarding the overflow.
    }
  }
  pending += decoder.end();
  if (pending.length > 0) yield emit(pending);
}
