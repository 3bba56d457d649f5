import { compileGlob, MAX_GLOB_CHARS } from '../../src/policy/glob';
import { LINEAR_RATIO_LIMIT, measureGrowth } from '../support/growth';

describe('compileGlob', () => {
  test.each([
    ['src/**', 'src/a/b/c.ts', true],
    ['src/**/x.ts', 'src/x.ts', true],
    ['src/**/x.ts', 'src/a/b/x.ts', true],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/a/b.ts', false],
    ['src/?.ts', 'src/a.ts', true],
    ['src/?.ts', 'src/ab.ts', false],
    ['{src,test}/**', 'test/a.ts', true],
    ['{src,test}/**', 'lib/a.ts', false],
    ['a.b', 'aXb', false],
    ['**/package-lock.json', 'package-lock.json', true],
    // Anchored at both ends.
    ['src/*.ts', 'x/src/a.ts', false],
    ['src/*.ts', 'src/a.tsx', false],
    // `?` and `*` never cross a `/`; `**` without a slash does.
    ['src/?', 'src//', false],
    ['*', 'a/b', false],
    ['*', '', true],
    ['**', 'a/b/c', true],
    ['a**b', 'a/x/b', true],
    // `**/` needs the slash when it does match directories.
    ['src/**/x.ts', 'src/ax.ts', false],
    ['src/**/x.ts', 'src/a/x.ts', true],
    // Alternatives hold globs, may be empty, and appear more than once.
    ['{*.ts,lib/**}', 'lib/a/b.js', true],
    ['{*.ts,lib/**}', 'a/b.ts', false],
    ['x{,.min}.js', 'x.js', true],
    ['x{,.min}.js', 'x.min.js', true],
    ['{a,b}/{c,d}', 'b/c', true],
    ['{a,b}/{c,d}', 'b/e', false],
    // Braces and commas outside a group, and regex syntax, are literal.
    ['a,b}', 'a,b}', true],
    ['[ab].(x)+$', '[ab].(x)+$', true],
    ['[ab]', 'a', false],
  ])('%s against %s is %s', (glob, path, expected) => {
    expect(compileGlob(glob).test(path)).toBe(expected);
  });

  test('refuses an unclosed brace', () => {
    expect(() => compileGlob('{a,b')).toThrow(/unclosed/);
  });

  test('refuses a glob longer than any path glob needs', () => {
    expect(() => compileGlob('a'.repeat(MAX_GLOB_CHARS + 1))).toThrow(`longer than ${MAX_GLOB_CHARS} characters`);
    expect(compileGlob('a'.repeat(MAX_GLOB_CHARS)).test('a'.repeat(MAX_GLOB_CHARS))).toBe(true);
  });

  test('time grows linearly with the path for a glob of many stars that almost matches', async () => {
    const glob = compileGlob('*a*a*a*a*a*a*a*a*b');
    const growth = await measureGrowth((n) => glob.test('a'.repeat(n)), 10_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });

  test('time grows linearly with the path for globstars and alternatives over many segments', async () => {
    const glob = compileGlob('**/{*a*a*a,**/b*b*b}/**/*a*b/x');
    const growth = await measureGrowth((n) => glob.test('a/b/'.repeat(n / 4)), 10_000);
    expect(growth.ratio).toBeLessThan(LINEAR_RATIO_LIMIT);
  });
});
