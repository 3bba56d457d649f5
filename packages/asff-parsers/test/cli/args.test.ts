import { parseArgs, usageLine, type OptionSpec } from '../../src/cli/args';
import { UsageError } from '../../src/errors';

const SPECS: readonly OptionSpec[] = [
  { name: 'tool', kind: 'string', required: true, description: 'tool' },
  { name: 'format', kind: 'string', choices: ['asff', 'ndjson'], description: 'format' },
  { name: 'verbose', kind: 'boolean', description: 'verbose' },
];

describe('parseArgs', () => {
  test('reads --name value, --name=value, booleans and positionals', () => {
    expect(parseArgs(['--tool', 'zap', '--format=ndjson', '--verbose', 'dir'], SPECS, { min: 1, max: 1 })).toEqual({
      options: { tool: 'zap', format: 'ndjson', verbose: true },
      lists: {},
      positionals: ['dir'],
    });
  });

  test('collects every value of a repeatable flag in order, the first also as its option', () => {
    const specs: OptionSpec[] = [...SPECS, { name: 'input', kind: 'string', repeatable: true, description: 'input' }];
    const parsed = parseArgs(['--tool', 'zap', '--input', 'a.json', '--input=b.json'], specs);
    expect(parsed.lists).toEqual({ input: ['a.json', 'b.json'] });
    expect(parsed.options.input).toBe('a.json');
  });

  test('accepts - as a value and as a positional', () => {
    expect(parseArgs(['--tool', '-', '-'], SPECS, { min: 0, max: 1 }).positionals).toEqual(['-']);
    expect(parseArgs(['--tool', '-'], SPECS).options.tool).toBe('-');
  });

  test.each([
    [['--tool', 'zap', '--colour'], "unknown option '--colour'"],
    [['--tool', 'zap', '-x'], "unknown option '-x'"],
    [['--tool'], "option '--tool' needs a value"],
    [['--tool', '--verbose'], "option '--tool' needs a value"],
    [['--tool='], "option '--tool' needs a non-empty value"],
    [['--tool', 'a', '--tool', 'b'], "option '--tool' given twice"],
    [['--verbose'], "missing required option '--tool'"],
    [['--tool', 'a', '--verbose=yes'], "option '--verbose' takes no value"],
    [['--tool', 'a', '--format', 'xml'], "option '--format' must be one of asff, ndjson, got 'xml'"],
    [['--tool', 'a', 'extra'], "unexpected argument 'extra'"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, SPECS)).toThrow(new UsageError(message));
  });

  test('usage lines mark optional flags', () => {
    expect(usageLine('convert', SPECS)).toBe('asff convert --tool <tool> [--format <format>] [--verbose]');
  });
});
