import { canonicalLicenseId, LicenseExpression, MAX_NESTING, parseLicenseExpression } from '../../src/licenses/spdx-expression';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

/** The expression as a compact string: `or(MIT, and(GPL-2.0-only WITH Classpath-exception-2.0, ?odd))`, `?` marking unknown ids. */
function show(expression: LicenseExpression): string {
  if (expression.kind === 'license') {
    return `${expression.known ? '' : '?'}${expression.id}${expression.exception ? ` WITH ${expression.exception}` : ''}`;
  }
  return `${expression.kind}(${expression.terms.map(show).join(', ')})`;
}

function parsed(text: string): string {
  const result = parseLicenseExpression(text);
  return result.ok ? show(result.expression) : `error: ${result.problem}`;
}

describe('SPDX licence expressions', () => {
  test('AND binds tighter than OR, WITH tighter than AND, as SPDX annex D says', () => {
    expect(parsed('MIT OR Apache-2.0 AND BSD-3-Clause')).toBe('or(MIT, and(Apache-2.0, BSD-3-Clause))');
    expect(parsed('GPL-2.0-only WITH Classpath-exception-2.0 AND MIT')).toBe('and(GPL-2.0-only WITH Classpath-exception-2.0, MIT)');
    expect(parsed('(MIT OR Apache-2.0) AND BSD-3-Clause')).toBe('and(or(MIT, Apache-2.0), BSD-3-Clause)');
  });

  test('chains of one operator become one node, so only parentheses add depth', () => {
    expect(parsed('MIT OR ISC OR 0BSD OR Unlicense')).toBe('or(MIT, ISC, 0BSD, Unlicense)');
  });

  test('ids and operators in any case are read as the canonical id and operator', () => {
    expect(parsed('mit or apache-2.0')).toBe('or(MIT, Apache-2.0)');
  });

  test('deprecated ids name their current equivalent, with or without +', () => {
    expect(parsed('GPL-2.0')).toBe('GPL-2.0-only');
    expect(parsed('GPL-2.0+')).toBe('GPL-2.0-or-later');
    expect(parsed('LGPL-2.1+ AND Apache-2.0+')).toBe('and(LGPL-2.1-or-later, Apache-2.0+)');
    expect(canonicalLicenseId('agpl-3.0')).toBe('AGPL-3.0-only');
    expect(canonicalLicenseId('GLP-3.0-only')).toBeUndefined();
  });

  test('LicenseRef and DocumentRef references are known; ids on no list are kept but marked unknown', () => {
    expect(parsed('LicenseRef-acme-eula OR DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2'))
      .toBe('or(LicenseRef-acme-eula, DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2)');
    expect(parsed('GPL-2 AND MIT')).toBe('and(?GPL-2, MIT)');
  });

  test.each([
    ['', 'error: empty'],
    ['MIT OR', 'error: ends where a licence is expected'],
    ['(MIT', 'error: a parenthesis is not closed'],
    ['MIT)', 'error: a closing parenthesis has no opening one'],
    ['GPL v2', 'error: two licences without AND or OR between them'],
    ['AND MIT', "error: 'AND' where a licence is expected"],
    ['MIT WITH', 'error: WITH is not followed by an exception id'],
    ['MIT, BSD', 'error: unexpected character after position 3'],
  ])('refuses %p with a one-line reason', (text, expected) => {
    expect(parsed(text)).toBe(expected);
  });

  test(`refuses parentheses nested deeper than ${MAX_NESTING} instead of recursing on them`, () => {
    expect(parsed(`${'('.repeat(MAX_NESTING)}MIT${')'.repeat(MAX_NESTING)}`)).toBe('MIT');
    expect(parsed(`${'('.repeat(MAX_NESTING + 1)}MIT${')'.repeat(MAX_NESTING + 1)}`)).toBe(`error: parentheses nested deeper than ${MAX_NESTING}`);
    expect(parsed('('.repeat(100_000))).toMatch(/^error: /);
  });

  test('time grows linearly with the length of the expression', async () => {
    const long = (size: number) =>
      Array.from({ length: Math.ceil(size / 12) }, (_, i) => (i % 3 === 0 ? '(MIT OR ISC)' : 'Apache-2.0'))
        .join(' AND ')
        .slice(0, 4000);
    // Beyond MAX_EXPRESSION_LENGTH an expression is refused at once; the growth is measured below it.
    const growth = await measureGrowth((size) => parseLicenseExpression(long(size / 10)), 4000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });
});
