/** Where a JSON text first breaks the grammar, and how. */
export interface JsonSyntaxError {
  /** UTF-16 index into the text. */
  readonly index: number;
  /** What is wrong there, in words that quote nothing from the text. */
  readonly problem: string;
}

/**
 * Finds the first syntax error in a JSON text, for messages. `JSON.parse`
 * says where too, but its message quotes the text around the error
 * (`Unexpected token 'A', ..."Secret":AKIA...`), and a report's text may be a
 * credential: it must not reach build logs, Lambda logs or dead-letter
 * objects. Called only after `JSON.parse` failed; iterative, so any nesting
 * depth is fine. Undefined when the text is valid JSON.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const n = text.length;
  // Per open container: '{' or '['; and whether a value is wanted next.
  const stack: number[] = [];
  const skipSpace = (): void => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  const error = (problem: string): JsonSyntaxError => ({ index: i, problem: i >= n ? 'the value ends too early' : problem });

  for (;;) {
    // Expect a value.
    skipSpace();
    if (i >= n) return error('');
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) {
      stack.push(c);
      i++;
      skipSpace();
      if (c === 0x7b) {
        if (text.charCodeAt(i) === 0x7d) {
          i++;
        } else {
          const bad = readKey();
          if (bad !== undefined) return bad;
          continue;
        }
      } else if (text.charCodeAt(i) === 0x5d) {
        i++;
      } else {
        continue;
      }
      stack.pop();
    } else if (c === 0x22) {
      const bad = readString();
      if (bad !== undefined) return bad;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const bad = readNumber();
      if (bad !== undefined) return bad;
    } else if (text.startsWith('true', i) || text.startsWith('null', i)) {
      i += 4;
    } else if (text.startsWith('false', i)) {
      i += 5;
    } else {
      return error('expected a value');
    }
    // After a value: close containers or move to the next member.
    for (;;) {
      skipSpace();
      const open = stack[stack.length - 1];
      if (open === undefined) return i < n ? error('unexpected text after the end of the document') : undefined;
      if (i >= n) return error('');
      const d = text.charCodeAt(i);
      if (d === 0x2c) {
        i++;
        if (open === 0x7b) {
          skipSpace();
          const bad = readKey();
          if (bad !== undefined) return bad;
        }
        break;
      }
      if ((open === 0x7b && d === 0x7d) || (open === 0x5b && d === 0x5d)) {
        i++;
        stack.pop();
        continue;
      }
      return error(open === 0x7b ? "expected ',' or '}' after an object member" : "expected ',' or ']' after an array element");
    }
  }

  function readKey(): JsonSyntaxError | undefined {
    if (i >= n) return error('');
    if (text.charCodeAt(i) !== 0x22) return error('expected a quoted object key');
    const bad = readString();
    if (bad !== undefined) return bad;
    skipSpace();
    if (i >= n) return error('');
    if (text.charCodeAt(i) !== 0x3a) return error("expected ':' after an object key");
    i++;
    return undefined;
  }

  function readString(): JsonSyntaxError | undefined {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return error('a control character inside a string');
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return error('an invalid \\u escape in a string');
          i += 6;
          continue;
        }
        if (!(e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) {
          return error('an invalid escape in a string');
        }
        i += 2;
        continue;
      }
      i++;
    }
    return error('');
  }

  function readNumber(): JsonSyntaxError | undefined {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) {
      i++;
    } else if (!digits()) {
      return error('an invalid number');
    }
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!digits()) return error('an invalid number');
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 0x2b || sign === 0x2d) i++;
      if (!digits()) return error('an invalid number');
    }
    return undefined;
  }

  function digits(): boolean {
    const start = i;
    while (i < n && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i++;
    return i > start;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/**
 * A one-line description of why `text` is not JSON, with the byte position
 * (counted from `baseByte`; `of` names what it counts in, e.g. ` of the
 * line`) and never any of the text itself.
 */
export function describeJsonSyntaxError(text: string, baseByte = 0, of = ''): string {
  const found = findJsonSyntaxError(text);
  if (found === undefined) return `invalid JSON at byte ${baseByte}${of}: the value cannot be read`;
  const byte = baseByte + Buffer.byteLength(text.slice(0, found.index), 'utf8');
  return `invalid JSON at byte ${byte}${of}: ${found.problem}`;
}
