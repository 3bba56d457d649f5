import { basename } from 'node:path';

/**
 * Just enough of bash to read the buildspecs' command blocks for the IAM coverage test: which commands run,
 * with which arguments, under which configuration. Variables come from the project's environment and the
 * blocks' own assignments; tests on them (`[ -n "${X:-}" ]`, `case "${X}" in`) are decided when their value
 * is known, so a call the configuration switches off is reported as inactive rather than required. Anything
 * it cannot know (a runtime test, a loop variable) counts as "may run" and expands to SAMPLE, so the
 * coverage test errs towards demanding a grant.
 */

export const SAMPLE = 'SAMPLE';

/** One command as a build runs it. */
export interface ShellCommand {
  /** The words, quotes removed and variables expanded (unknown parts are SAMPLE). */
  readonly words: string[];
  /** Whether any word had a part that could not be expanded. */
  readonly unresolved: boolean;
  /** False when the configuration's values exclude the branch the command is in. */
  readonly active: boolean;
  /** The source line (continuations joined), for messages. */
  readonly line: string;
  /** Variables at that point (environment and assignments). */
  readonly variables: ReadonlyMap<string, string | undefined>;
}

type Activity = boolean | 'unknown';
interface Frame { kind: 'if' | 'case' | 'loop'; active: Activity; taken: boolean; subject?: string }

const KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'while', 'until', 'do', '!', 'time', 'exec', '{']);

/** Splits a line into simple commands (raw words); `$( … )` contents are returned as commands of their own. */
export function splitCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let skipNext = false;
  const endWord = () => {
    if (word !== '') {
      if (!skipNext) words.push(word);
      skipNext = false;
    }
    word = '';
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  // Reads a balanced `$(…)`, `${…}` or quoted run starting at i; returns its end index (exclusive).
  const balanced = (i: number, open: string, close: string): number => {
    let depth = 0;
    for (let j = i; j < line.length; j++) {
      const c = line[j];
      if (c === '\\') { j++; continue; }
      if (c === "'" && open !== '{') { j = line.indexOf("'", j + 1); if (j < 0) return line.length; continue; }
      if (c === open) depth++;
      else if (c === close && --depth === 0) return j + 1;
    }
    return line.length;
  };
  const substitutions: string[] = [];
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') { word += line.slice(i, i + 2); i++; continue; }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      const stop = end < 0 ? line.length : end + 1;
      word += line.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\') {
          j++;
        } else if (line.startsWith('$(', j)) {
          const end = balanced(j + 1, '(', ')');
          substitutions.push(line.slice(j + 2, end - 1));
          j = end - 1;
        } else if (line.startsWith('${', j)) {
          j = balanced(j + 1, '{', '}') - 1;
        }
      }
      word += line.slice(i, j + 1);
      i = j;
      continue;
    }
    if (line.startsWith('$(', i)) {
      const end = balanced(i + 1, '(', ')');
      substitutions.push(line.slice(i + 2, end - 1));
      word += line.slice(i, end);
      i = end - 1;
      continue;
    }
    if (line.startsWith('${', i)) { const end = balanced(i + 1, '{', '}'); word += line.slice(i, end); i = end - 1; continue; }
    if (/\s/.test(c)) { endWord(); continue; }
    if ('|;&()'.includes(c)) { endCommand(); continue; }
    if (c === '>' || c === '<') {
      // A redirection: `2>` or `3<` drop their fd number; the target word is not an argument.
      if (/^\d+$/.test(word)) word = '';
      endWord();
      while (line[i + 1] === '>' || line[i + 1] === '<' || line[i + 1] === '&') i++;
      skipNext = true;
      continue;
    }
    word += c;
  }
  endCommand();
  for (const inner of substitutions) commands.push(...splitCommands(inner));
  return commands;
}

export type Lookup = (name: string) => string | undefined;

/** Expands one raw word: quotes removed, `${…}`/`$X` looked up, `$(basename X)` computed, the rest SAMPLE. */
export function expandWord(raw: string, lookup: Lookup): { value: string; unresolved: boolean } {
  let unresolved = false;
  let out = '';
  const param = (body: string): string => {
    const m = /^(#?)([A-Za-z_]\w*)(.*)$/s.exec(body);
    if (!m || m[1] === '#' || body.startsWith('!')) { unresolved = true; return SAMPLE; }
    const [, , name, op] = m;
    const value = lookup(name);
    const fallback = /^:?-(.*)$/s.exec(op);
    if (fallback) return value !== undefined && (value !== '' || !op.startsWith(':')) ? value : expandWord(fallback[1], lookup).value;
    if (value === undefined) { unresolved = true; return SAMPLE; }
    if (op === '') return value;
    const trim = /^(##|#|%%|%)(.*)$/s.exec(op);
    if (trim) return trimPattern(value, trim[1], expandWord(trim[2], lookup).value);
    if (/^:\d+(:\d+)?$/.test(op)) { const [, start, length] = op.split(':').map(Number); return value.substr(start, length); }
    unresolved = true;
    return SAMPLE;
  };
  const expand = (text: string, quoted: boolean) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') { out += text[i + 1] ?? ''; i++; continue; }
      if (!quoted && c === "'") {
        const found = text.indexOf("'", i + 1);
        const end = found < 0 ? text.length : found;
        out += text.slice(i + 1, end);
        i = end;
        continue;
      }
      if (!quoted && c === '"') {
        let j = i + 1; let depth = 0;
        for (; j < text.length; j++) {
          if (text[j] === '\\') { j++; continue; }
          if (text.startsWith('$(', j)) { depth++; j++; continue; }
          if (text[j] === ')' && depth > 0) { depth--; continue; }
          if (text[j] === '"' && depth === 0) break;
        }
        expand(text.slice(i + 1, j), true);
        i = j;
        continue;
      }
      if (text.startsWith('${', i)) {
        let depth = 0; let j = i + 1;
        for (; j < text.length; j++) { if (text[j] === '{') depth++; else if (text[j] === '}' && --depth === 0) break; }
        out += param(text.slice(i + 2, j));
        i = j;
        continue;
      }
      if (text.startsWith('$(', i)) {
        let depth = 0; let j = i + 1;
        for (; j < text.length; j++) { if (text[j] === '(') depth++; else if (text[j] === ')' && --depth === 0) break; }
        const inner = splitCommands(text.slice(i + 2, j));
        if (inner.length === 1 && inner[0][0] === 'basename' && inner[0].length === 2) {
          const argument = expandWord(inner[0][1], lookup);
          unresolved ||= argument.unresolved;
          out += argument.unresolved ? SAMPLE : basename(argument.value);
        } else {
          unresolved = true;
          out += SAMPLE;
        }
        i = j;
        continue;
      }
      const simple = /^\$([A-Za-z_]\w*)/.exec(text.slice(i));
      if (simple) { out += param(simple[1]); i += simple[0].length - 1; continue; }
      out += c;
    }
  };
  expand(raw, false);
  return { value: out, unresolved };
}

function globRegExp(pattern: string, greedy: boolean): string {
  return pattern.split('').map((c) => (c === '*' ? (greedy ? '.*' : '.*?') : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
}

function trimPattern(value: string, op: string, pattern: string): string {
  if (op.startsWith('#')) {
    const m = new RegExp(`^${globRegExp(pattern, op === '##')}`, 's').exec(value);
    return m ? value.slice(m[0].length) : value;
  }
  // Suffix removal: try each start position, from the end for the shortest match, from the start for the longest.
  const re = new RegExp(`^${globRegExp(pattern, true)}$`, 's');
  const starts = [...Array(value.length + 1).keys()];
  for (const start of op === '%%' ? starts : starts.reverse()) if (re.test(value.slice(start))) return value.slice(0, start);
  return value;
}

function evaluateTest(condition: string, lookup: Lookup): Activity {
  // `[ a ] && [ b ]`: false as soon as one test is false, true only when every test is.
  const conjuncts = condition.split(/\]\s*&&\s*\[/);
  if (conjuncts.length > 1) {
    const last = conjuncts.length - 1;
    const results = conjuncts.map((part, i) => evaluateTest(`${i > 0 ? '[' : ''}${part}${i < last ? ']' : ''}`, lookup));
    return results.includes(false) ? false : results.every((r) => r === true) ? true : 'unknown';
  }
  const inner = /^\s*\[\[?\s+(.*?)\s+\]\]?\s*$/.exec(condition)?.[1];
  if (inner === undefined || /&&|\|\|/.test(inner)) return 'unknown';
  const words = splitCommands(inner)[0] ?? [];
  const values = words.map((w) => expandWord(w, lookup));
  if (values.some((v) => v.unresolved)) return 'unknown';
  const [a, b, c] = values.map((v) => v.value);
  if (words.length === 2 && a === '-n') return b !== '';
  if (words.length === 2 && a === '-z') return b === '';
  if (words.length === 3 && (b === '=' || b === '==')) return a === c;
  if (words.length === 3 && b === '!=') return a !== c;
  return 'unknown';
}

function caseMatches(patterns: string, subject: string): boolean {
  return patterns.split('|').some((p) => new RegExp(`^${globRegExp(p.trim().replace(/^["']|["']$/g, ''), true)}$`, 's').test(subject));
}

/**
 * Every simple command of a buildspec's command blocks, in order. Blocks share one shell (buildspec 0.2 keeps
 * variables across commands), so assignments carry over. Heredoc bodies are data, not commands.
 */
export function shellCommands(blocks: readonly string[], environment: Record<string, string>): ShellCommand[] {
  const variables = new Map<string, string | undefined>(Object.entries(environment));
  const lookup: Lookup = (name) => variables.get(name);
  const result: ShellCommand[] = [];
  for (const block of blocks) {
    const frames: Frame[] = [];
    const activity = (): Activity => (frames.some((f) => f.active === false) ? false : frames.some((f) => f.active === 'unknown') ? 'unknown' : true);
    const lines = block.replace(/[ \t]*\\\n\s*/g, ' ').split('\n');
    let heredoc: string | undefined;
    const run = (line: string) => {
      const trimmed = line.trim();
      let m: RegExpExecArray | null;
      if ((m = /^if (.+?); then (.+); fi$/.exec(trimmed))) {
        frames.push({ kind: 'if', active: evaluateTest(m[1], lookup), taken: false });
        run(m[2]);
        frames.pop();
        return;
      }
      if ((m = /^(?:if|elif) (.+?); then$/.exec(trimmed))) {
        const active = evaluateTest(m[1].replace(/^!\s+/, ''), lookup);
        const negated = /^!\s+/.test(m[1]) && active !== 'unknown' ? !active : active;
        if (trimmed.startsWith('elif')) {
          const frame = frames[frames.length - 1];
          frame.active = frame.taken ? false : negated;
          frame.taken ||= negated === true;
        } else {
          frames.push({ kind: 'if', active: negated, taken: negated === true });
        }
      } else if (trimmed === 'else') {
        const frame = frames[frames.length - 1];
        frame.active = frame.taken ? false : frame.active === 'unknown' ? 'unknown' : !frame.active;
      } else if (/^fi\b/.test(trimmed) || /^done\b/.test(trimmed) || /^esac\b/.test(trimmed)) {
        frames.pop();
        return;
      } else if ((m = /^case (.+) in$/.exec(trimmed))) {
        const subject = expandWord(m[1], lookup);
        frames.push({ kind: 'case', active: false, taken: false, subject: subject.unresolved ? undefined : subject.value });
        return;
      } else if (frames[frames.length - 1]?.kind === 'case' && (m = /^([^\s()]+(?:\s*\|\s*[^\s()]+)*)\)\s*(.*)$/.exec(trimmed))) {
        const frame = frames[frames.length - 1];
        const matches = frame.subject === undefined ? 'unknown' : !frame.taken && caseMatches(m[1], frame.subject);
        frame.active = matches;
        frame.taken ||= matches === true;
        if (m[2] && m[2] !== ';;') run(m[2].replace(/;;$/, ''));
        return;
      } else if (/^(while|until|for)\b.*;\s*do$/.test(trimmed)) {
        frames.push({ kind: 'loop', active: 'unknown', taken: false });
      }
      const active = activity();
      // `NAME=value` (or `export NAME=value`) alone on its line: a prefix assignment (`IFS=: read …`) is not one.
      const words = splitCommands(trimmed);
      const first = words[0] ?? [];
      const only = first.length === 1 || (first.length === 2 && first[0] === 'export') ? first[first.length - 1] : undefined;
      const assignment = only !== undefined ? /^([A-Za-z_]\w*)=(.*)$/s.exec(only) : null;
      if (assignment && active !== false) {
        const value = expandWord(assignment[2], lookup);
        variables.set(assignment[1], value.unresolved ? undefined : value.value);
      }
      for (const raw of words) {
        let start = 0;
        while (start < raw.length && (KEYWORDS.has(raw[start]) || /^[A-Za-z_]\w*=/.test(raw[start]))) start++;
        if (start >= raw.length) continue;
        const expanded = raw.slice(start).map((w) => expandWord(w, lookup));
        result.push({
          words: expanded.map((e) => e.value),
          unresolved: expanded.some((e) => e.unresolved),
          active: active !== false,
          line: trimmed,
          variables: new Map(variables),
        });
      }
    };
    for (const line of lines) {
      if (heredoc !== undefined) { if (line.trim() === heredoc) heredoc = undefined; continue; }
      if (/^\s*#/.test(line)) continue;
      const here = /(?<!<)<<(?!<)-?\s*(['"]?)([A-Za-z_]\w*)\1/.exec(line);
      if (here) heredoc = here[2];
      run(line);
    }
  }
  return result;
}
