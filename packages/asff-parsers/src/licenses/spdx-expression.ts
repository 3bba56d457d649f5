// The SPDX licence list as published by the spdx-license-ids package: current ids and deprecated ones (`GPL-2.0`,
// `GPL-2.0+`), which SBOM tools still write.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CURRENT_IDS: readonly string[] = require('spdx-license-ids');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const DEPRECATED_IDS: readonly string[] = require('spdx-license-ids/deprecated.json');

/**
 * One licence of an expression: an SPDX licence id (canonical case), a `LicenseRef-`, or, when `known` is false, an
 * id that is on no list (a misspelling, a distribution's own short name): nobody can tell what it permits.
 */
export interface LicenseTerm {
  readonly kind: 'license';
  readonly id: string;
  /** `WITH <exception>`, as written. */
  readonly exception?: string;
  readonly known: boolean;
}

/** `A AND B AND ...` (every licence applies) or `A OR B OR ...` (any one may be chosen). */
export interface LicenseCompound {
  readonly kind: 'and' | 'or';
  readonly terms: readonly LicenseExpression[];
}

export type LicenseExpression = LicenseTerm | LicenseCompound;

/** Parentheses nested deeper than this are refused: an SBOM is attacker-controlled and the parser recurses on them. */
export const MAX_NESTING = 32;

/** Longer expressions are refused (the longest in real SBOMs are a few hundred characters). */
export const MAX_EXPRESSION_LENGTH = 4096;

const CANONICAL = new Map<string, string>();
for (const id of [...DEPRECATED_IDS, ...CURRENT_IDS]) CANONICAL.set(id.toLowerCase(), id);

/**
 * The canonical SPDX id for `id` in any case, undefined when it is on no list. A deprecated id names its current
 * equivalent when SPDX has one (`GPL-2.0` is `GPL-2.0-only`, `GPL-2.0+` `GPL-2.0-or-later`), so that a policy
 * written with current ids also matches SBOMs written with the old ones.
 */
export function canonicalLicenseId(id: string): string | undefined {
  const lower = id.toLowerCase();
  const orLater = lower.endsWith('+');
  const base = orLater ? lower.slice(0, -1) : lower;
  const current = CANONICAL.get(`${base}${orLater ? '-or-later' : '-only'}`);
  if (current !== undefined && (orLater || CANONICAL.get(base) !== undefined)) return current;
  const exact = CANONICAL.get(base);
  if (exact === undefined) return undefined;
  return orLater ? `${exact}+` : exact;
}

/** `LicenseRef-x` or `DocumentRef-y:LicenseRef-x` (SPDX's references to licences outside the list). */
export function isLicenseRef(id: string): boolean {
  return /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/.test(id);
}

/** The result of parsing: an expression, or the one-line reason it is not one. */
export type ParsedExpression = { readonly ok: true; readonly expression: LicenseExpression } | { readonly ok: false; readonly problem: string };

type Token = { readonly type: 'open' | 'close' | 'and' | 'or' | 'with' } | { readonly type: 'id'; readonly text: string };

// Sticky: each match starts where the previous one ended, so tokenising is one pass over the text.
const TOKEN = /\s*(?:(\()|(\))|([A-Za-z0-9.:+-]+))/y;

/** The tokens of `text`, which has no trailing blanks (the pattern skips the blanks before each token). */
function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null) return `unexpected character after position ${start}`;
    if (match[1] !== undefined) {
      tokens.push({ type: 'open' });
      continue;
    }
    if (match[2] !== undefined) {
      tokens.push({ type: 'close' });
      continue;
    }
    // Operators in any case: SBOM tools write `MIT or Apache-2.0` as often as the spec's `OR`.
    const word = match[3];
    const operator = word.toUpperCase();
    const isOperator = operator === 'AND' || operator === 'OR' || operator === 'WITH';
    tokens.push(isOperator ? { type: operator.toLowerCase() as 'and' | 'or' | 'with' } : { type: 'id', text: word });
  }
  return tokens;
}

/**
 * Not spdx-expression-parse (npm): its 3.x scanner slices the rest of the text for every token (quadratic in an
 * expression an attacker writes into an SBOM) and throws on any id off the list, which real SBOMs are full of; here
 * such an id is kept and marked unknown, for the policy's `unlicensed` treatment.
 *
 * Parses an SPDX licence expression (SPDX 2.3 annex D: `WITH` binds tighter than `AND`, which binds tighter than
 * `OR`; parentheses group). Linear in the length of the text: one tokenising pass, then recursive descent that
 * visits each token once; chains of one operator become one n-ary node, so only parentheses add depth.
 */
export function parseLicenseExpression(text: string): ParsedExpression {
  if (text.length > MAX_EXPRESSION_LENGTH) return { ok: false, problem: `longer than ${MAX_EXPRESSION_LENGTH} characters` };
  if (text.trim() === '') return { ok: false, problem: 'empty' };
  // The token pattern skips leading blanks itself; only trailing ones need trimming.
  const tokens = tokenize(text.trimEnd());
  if (typeof tokens === 'string') return { ok: false, problem: tokens };
  let position = 0;
  const fail = (problem: string): never => {
    throw new ExpressionError(problem);
  };
  const peek = (): Token | undefined => tokens[position];

  const parseOr = (depth: number): LicenseExpression => {
    const terms = [parseAnd(depth)];
    while (peek()?.type === 'or') {
      position++;
      terms.push(parseAnd(depth));
    }
    return terms.length === 1 ? terms[0] : { kind: 'or', terms };
  };
  const parseAnd = (depth: number): LicenseExpression => {
    const terms = [parsePrimary(depth)];
    while (peek()?.type === 'and') {
      position++;
      terms.push(parsePrimary(depth));
    }
    return terms.length === 1 ? terms[0] : { kind: 'and', terms };
  };
  const parsePrimary = (depth: number): LicenseExpression => {
    const token = peek();
    if (token === undefined) return fail('ends where a licence is expected');
    if (token.type === 'open') {
      if (depth >= MAX_NESTING) fail(`parentheses nested deeper than ${MAX_NESTING}`);
      position++;
      const inner = parseOr(depth + 1);
      if (peek()?.type !== 'close') fail('a parenthesis is not closed');
      position++;
      return inner;
    }
    if (token.type !== 'id') return fail(`'${token.type.toUpperCase()}' where a licence is expected`);
    position++;
    let exception: string | undefined;
    if (peek()?.type === 'with') {
      position++;
      const next = peek();
      if (next?.type !== 'id') fail('WITH is not followed by an exception id');
      exception = (next as { text: string }).text;
      position++;
    }
    return term(token.text, exception);
  };

  try {
    const expression = parseOr(0);
    if (position < tokens.length) {
      fail(tokens[position].type === 'close' ? 'a closing parenthesis has no opening one' : 'two licences without AND or OR between them');
    }
    return { ok: true, expression };
  } catch (error) {
    if (error instanceof ExpressionError) return { ok: false, problem: error.message };
    throw error;
  }
}

class ExpressionError extends Error {}

function term(id: string, exception: string | undefined): LicenseTerm {
  if (isLicenseRef(id)) return { kind: 'license', id, ...(exception !== undefined ? { exception } : {}), known: true };
  const canonical = canonicalLicenseId(id);
  return { kind: 'license', id: canonical ?? id, ...(exception !== undefined ? { exception } : {}), known: canonical !== undefined };
}

/** The licence as a policy entry or finding names it: `GPL-2.0-only`, `GPL-2.0-only WITH Classpath-exception-2.0`. */
export function termName(license: LicenseTerm): string {
  return license.exception === undefined ? license.id : `${license.id} WITH ${license.exception}`;
}
