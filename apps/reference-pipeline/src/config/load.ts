import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import * as YAML from 'yaml';
import { FactoryConfig, factoryConfigSchema } from './schema';

/** A configuration problem, one line per issue, each naming the file and the field. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly issues: string[]) {
    super(issues.map((issue) => `${file}: ${issue}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Reads and validates a factory configuration file (YAML or JSON). */
export function loadConfig(file: string): FactoryConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  let raw: unknown;
  try {
    raw = extname(file) === '.json' ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(file, [`not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
  return parseConfig(raw, file);
}

export function parseConfig(raw: unknown, file = '<config>'): FactoryConfig {
  const result = factoryConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  }));
}
