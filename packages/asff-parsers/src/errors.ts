/**
 * The one error a caller of `convert` needs to handle: the report could not be
 * read, is malformed, or is not a report of the requested tool. Its message is a
 * single line that names the file, so the CLI can print it as-is.
 */
export class ReportError extends Error {
  public override readonly name = 'ReportError';

  /**
   * @param fileName the report's file name (or `-` for standard input)
   * @param problem a one-line description of what is wrong with it
   * @param kind what went wrong, for callers that branch on it
   */
  constructor(
    public readonly fileName: string,
    public readonly problem: string,
    public readonly kind: ReportErrorKind = 'malformed',
    options?: { cause?: unknown },
  ) {
    super(`${fileName}: ${oneLine(problem)}`, options);
  }
}

/** Why a report was rejected. */
export type ReportErrorKind = 'unreadable' | 'malformed' | 'unrecognised' | 'too-large';

/**
 * Raised by the streaming readers; `convert` turns it into a ReportError with
 * the file name, so readers stay independent of where their bytes come from.
 */
export class MalformedInputError extends Error {
  public override readonly name = 'MalformedInputError';
  constructor(message: string, public readonly kind: ReportErrorKind = 'malformed') {
    super(oneLine(message));
  }
}

/** Error messages end up on one stderr line: no newlines, bounded length. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The caller asked for something impossible (bad option, unknown tool): exit code 2 in the CLI, no file involved. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
  constructor(message: string) {
    super(oneLine(message));
  }
}
