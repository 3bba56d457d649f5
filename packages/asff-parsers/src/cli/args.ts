import { UsageError } from '../errors';

/** One `--flag` a command accepts. */
export interface OptionSpec {
  /** The flag without dashes, e.g. `build-id`. */
  readonly name: string;
  /** `string` flags take a value (`--tool grype` or `--tool=grype`); `boolean` flags take none. */
  readonly kind: 'string' | 'boolean';
  readonly required?: boolean;
  /** A `string` flag that may be given more than once; every value is in `ParsedArgs.lists`. */
  readonly repeatable?: boolean;
  /** The allowed values, when the set is closed. */
  readonly choices?: readonly string[];
  /** Shown in usage, e.g. `<12 digits>`. */
  readonly valueName?: string;
  readonly description: string;
}

/** The outcome of parsing: flag values by name, and positional arguments. */
export interface ParsedArgs {
  readonly options: Readonly<Record<string, string | boolean | undefined>>;
  /** Every value of each repeatable flag given, in order (`options` holds the first). */
  readonly lists: Readonly<Record<string, readonly string[]>>;
  readonly positionals: readonly string[];
}

/**
 * A strict parser: unknown flags, missing values, repeated flags, missing
 * required flags and values outside `choices` are usage errors, so a typo in
 * a pipeline script fails loudly instead of being ignored.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly OptionSpec[],
  positionals: { min: number; max: number; names?: string } = { min: 0, max: 0 },
): ParsedArgs {
  const options: Record<string, string | boolean | undefined> = {};
  const lists: Record<string, string[]> = {};
  const rest: string[] = [];
  const byName = new Map(specs.map((s) => [s.name, s]));
  let onlyPositionals = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositionals || !arg.startsWith('--') || arg === '-') {
      if (!onlyPositionals && arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option '${arg}'`);
      rest.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositionals = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (spec === undefined) throw new UsageError(`unknown option '--${name}'`);
    if (options[name] !== undefined && spec.repeatable !== true) throw new UsageError(`option '--${name}' given twice`);
    if (spec.kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`option '--${name}' takes no value`);
      options[name] = true;
      continue;
    }
    let value: string | undefined;
    if (eq >= 0) {
      value = arg.slice(eq + 1);
    } else {
      value = argv[i + 1];
      if (value === undefined || (value.startsWith('--') && value.length > 2)) throw new UsageError(`option '--${name}' needs a value`);
      i++;
    }
    if (value === '') throw new UsageError(`option '--${name}' needs a non-empty value`);
    if (spec.choices !== undefined && !spec.choices.includes(value)) {
      throw new UsageError(`option '--${name}' must be one of ${spec.choices.join(', ')}, got '${value}'`);
    }
    options[name] ??= value;
    if (spec.repeatable === true) (lists[name] ??= []).push(value);
  }
  for (const spec of specs) {
    if (spec.required === true && options[spec.name] === undefined) throw new UsageError(`missing required option '--${spec.name}'`);
  }
  if (rest.length < positionals.min) throw new UsageError(`missing argument ${positionals.names ?? ''}`.trim());
  if (rest.length > positionals.max) throw new UsageError(`unexpected argument '${rest[positionals.max]}'`);
  return { options, lists, positionals: rest };
}

/** A usage line for a command, from its specs. */
export function usageLine(command: string, specs: readonly OptionSpec[], positionals = ''): string {
  const parts = specs.map((s) => {
    const flag = s.kind === 'boolean' ? `--${s.name}` : `--${s.name} ${s.valueName ?? `<${s.name}>`}`;
    return s.required === true ? flag : `[${flag}]`;
  });
  return ['asff', command, positionals, ...parts].filter((p) => p !== '').join(' ');
}

/** Option help lines for `--help`. */
export function optionHelp(specs: readonly OptionSpec[]): string {
  return specs.map((s) => `  --${s.name.padEnd(12)} ${s.description}`).join('\n');
}
