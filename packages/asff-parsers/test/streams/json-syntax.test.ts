import fc from 'fast-check';
import { describeJsonSyntaxError, findJsonSyntaxError } from '../../src/streams/json-syntax';

describe('findJsonSyntaxError', () => {
  test.each([
    ['', 0, 'the value ends too early'],
    ['{"a":1,}', 7, 'expected a quoted object key'],
    ['[1,]', 3, 'expected a value'],
    ['{"a" 1}', 5, "expected ':' after an object key"],
    ['[1 2]', 3, "expected ',' or ']' after an array element"],
    ['{"a":01}', 6, "expected ',' or '}' after an object member"],
    ['-', 1, 'the value ends too early'],
    ['1.e5', 2, 'an invalid number'],
    ['"\\u12G4"', 1, 'an invalid \\u escape in a string'],
    ['{} {}', 3, 'unexpected text after the end of the document'],
    ['[tru]', 1, 'expected a value'],
  ])('%s breaks at %d: %s', (text, index, problem) => {
    expect(findJsonSyntaxError(text)).toEqual({ index, problem });
  });

  test('agrees with JSON.parse on which texts are JSON', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', '1', '-', 'e', '.', ' ', 'true', 'n', 'u');
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string(), fc.array(pieces).map((a) => a.join(''))), (text) => {
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(findJsonSyntaxError(text) === undefined).toBe(valid);
      }),
      { numRuns: 20_000 },
    );
  });

  test('any nesting depth is fine', () => {
    expect(findJsonSyntaxError(`${'['.repeat(100_000)}x`)).toEqual({ index: 100_000, problem: 'expected a value' });
  });

  test('the description counts UTF-8 bytes from the base and quotes nothing', () => {
    expect(describeJsonSyntaxError('["é", AKIAQ3EGEXAMPLEKEY12]', 100)).toBe('invalid JSON at byte 107: expected a value');
  });
});
