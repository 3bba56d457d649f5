import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
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
  const config = parseConfig(raw, file);
  if (config.factoryPolicyFile === undefined) return config;
  // Resolved here, so that the stack reads the policy the config names wherever synth runs from.
  const factoryPolicyFile = resolve(dirname(file), config.factoryPolicyFile);
  if (!existsSync(factoryPolicyFile)) throw new ConfigError(file, [`factoryPolicyFile: ${factoryPolicyFile} does not exist`]);
  return { ...config, factoryPolicyFile };
}

export function parseConfig(raw: unknown, file = '<config>'): FactoryConfig {
  const result = factoryConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    return `${path}: ${issue.message}`;
  }));
}
