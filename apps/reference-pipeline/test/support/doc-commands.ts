import { readFileSync } from 'node:fs';
import { expandWord, splitCommands } from './shell-commands';

/** One `aws …` command a document tells its reader to run. */
export interface DocCommand {
  /** `docs/deploy.md:35`. */
  readonly where: string;
  /** The command as written. */
  readonly text: string;
  /** The arguments after `aws`, placeholders filled in. */
  readonly argv: string[];
  /**
   * True when the text is a complete command; false for a reference in prose (`aws eks list-access-entries`,
   * `aws ssm put-parameter ...`): then only what it does name is checked.
   */
  readonly complete: boolean;
}

/** What stands in for a `<placeholder>` or a `$VARIABLE`: a value every parameter of these commands accepts. */
const SAMPLE_VALUE = 'sample-value';
const ELLIPSIS = /^(\.\.\.|…)$/;
/** An elided option value (`--start-time …`): a number, which string, integer and timestamp options all take. */
const ELIDED_VALUE = '1';

/**
 * The `aws` commands of a Markdown file: lines of fenced code blocks (`$ ` prompts, `\` continuations and
 * trailing `# comments` handled) and inline code spans, which may wrap across the lines of one paragraph.
 */
export function docCommands(file: string, label: string): DocCommand[] {
  const lines = readFileSync(file, 'utf-8').split('\n');
  const found: DocCommand[] = [];
  let fence: string | undefined;
  let paragraph: Array<{ text: string; line: number }> = [];
  const flushParagraph = () => {
    const text = paragraph.map((p) => p.text).join(' ');
    for (const span of text.matchAll(/`(aws [^`]+)`/g)) {
      found.push(command(`${label}:${lineOf(paragraph, span.index!)}`, span[1]));
    }
    paragraph = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const fenceMark = /^\s*(```+|~~~+)/.exec(line);
    if (fenceMark) {
      flushParagraph();
      fence = fence === undefined ? fenceMark[1] : line.trim().startsWith(fence) ? undefined : fence;
      continue;
    }
    if (fence !== undefined) {
      let text = line.trim().replace(/^\$\s+/, '');
      if (!/^aws\s/.test(text)) continue;
      const start = i + 1;
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1).trimEnd()} ${lines[++i].trim()}`;
      found.push(command(`${label}:${start}`, text.replace(/\s+#.*$/, '')));
      continue;
    }
    if (line.trim() === '') flushParagraph();
    else paragraph.push({ text: line, line: i + 1 });
  }
  flushParagraph();
  return found;
}

/** The line of the paragraph a character offset of its joined text falls on. */
function lineOf(paragraph: Array<{ text: string; line: number }>, offset: number): number {
  let end = 0;
  for (const part of paragraph) {
    end += part.text.length + 1;
    if (offset < end) return part.line;
  }
  return paragraph[paragraph.length - 1].line;
}

function command(where: string, text: string): DocCommand {
  // Placeholders first (`<connection ARN>` is one word), then shell words as bash would split them.
  const filled = text.replace(/<[^<>]+>/g, SAMPLE_VALUE);
  const words = (splitCommands(filled)[0] ?? []).map((raw) => expandWord(raw, () => SAMPLE_VALUE).value);
  const argv: string[] = [];
  let complete = words.length > 3;
  for (const word of words.slice(1)) {
    if (ELLIPSIS.test(word)) {
      // `--start-time …`: the option's value is elided; the option itself is still checked, with a sample.
      complete = false;
      if (argv.length > 2 && argv[argv.length - 1].startsWith('--')) argv.push(ELIDED_VALUE);
      continue;
    }
    argv.push(word);
  }
  return { where, text, argv, complete };
}
