import { globToRegExp } from '../../src/policy/glob';

describe('globToRegExp', () => {
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
  ])('%s against %s is %s', (glob, path, expected) => {
    expect(globToRegExp(glob).test(path)).toBe(expected);
  });

  test('refuses an unclosed brace', () => {
    expect(() => globToRegExp('{a,b')).toThrow(/unclosed/);
  });
});
