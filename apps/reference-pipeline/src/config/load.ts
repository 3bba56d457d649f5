import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import * as YAML from 'yaml';
import { z } from 'zod';
import { ApplicationConfig, FactoryConfig, factoryConfigSchema, MultiApplicationConfig, multiApplicationSchema, NetworkConfig } from './schema';

/** A configuration problem, one line per issue, each naming the file and the field. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly issues: string[]) {
    super(issues.map((issue) => `${file}: ${issue}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** One application of the factory, with everything its pipeline is built from. */
export interface FactoryApplication {
  /** The application's name in `applications:`; for a single-application file, the factory's name. */
  readonly name: string;
  /** Its settings as one pipeline reads them (`name` is the pipeline's name). */
  readonly config: FactoryConfig;
  /**
   * The repository part of every report key its builds write (`raw/<reportsRepository>/<stage>/...`), the one
   * prefix its roles may write to. Prefixed with the application's name in a multi-application factory, so that
   * two applications built from one repository (a monorepo) still cannot write each other's reports.
   */
  readonly reportsRepository: string;
}

/** What a configuration file describes: the factory's shared settings and its applications. */
export interface FactoryDefinition {
  readonly file: string;
  readonly name: string;
  /**
   * `single`: today's file, one application, one stack. `per-application`: a file with `applications:`, the
   * shared parts in their own stack and a stack per application (adding one adds a stack, touches no other).
   */
  readonly layout: 'single' | 'per-application';
  readonly governance: FactoryConfig['governance'];
  readonly network?: NetworkConfig;
  /** Who is told about every pipeline's failures and the factory's security alerts. */
  readonly platformEmails: string[];
  readonly applications: FactoryApplication[];
}

/**
 * The configuration file the app and its tools read: `FACTORY_CONFIG`, or the reference app's own. A relative
 * path is from where the command was started: npm runs the workspace's scripts in the app's folder but keeps the
 * caller's in INIT_CWD (`FACTORY_CONFIG=apps/reference-pipeline/examples/x.yaml npm run synth` at the root).
 */
export function configFileFromEnvironment(env: NodeJS.ProcessEnv, defaultFile: string): string {
  const file = env.FACTORY_CONFIG?.trim();
  return file ? resolve(env.INIT_CWD ?? process.cwd(), file) : defaultFile;
}

/** Reads and validates a factory configuration file (YAML or JSON) of either shape. */
export function loadFactory(file: string): FactoryDefinition {
  return parseFactory(readConfigFile(file), file);
}

/**
 * Reads and validates a single-application configuration file (today's shape). A file with `applications:`
 * describes several pipelines: pick one with {@link loadFactory}.
 */
export function loadConfig(file: string): FactoryConfig {
  const raw = readConfigFile(file);
  if (hasApplications(raw)) {
    throw new ConfigError(file, ['applications: this file describes several applications; read it with loadFactory and pick one']);
  }
  return resolvePolicyFile(parseConfig(raw, file), file);
}

export function parseConfig(raw: unknown, file = '<config>'): FactoryConfig {
  return validated(factoryConfigSchema, raw, file);
}

/** Validates either shape and resolves every application's factory policy file relative to `file`. */
export function parseFactory(raw: unknown, file = '<config>'): FactoryDefinition {
  if (!hasApplications(raw)) {
    const config = resolvePolicyFile(parseConfig(raw, file), file);
    const repository = config.source.type === 'codeconnections' ? config.source.repository : config.source.repositoryName;
    return {
      file,
      name: config.name,
      layout: 'single',
      governance: config.governance,
      network: config.network,
      platformEmails: config.notifications.emails,
      applications: [{ name: config.name, config, reportsRepository: repository }],
    };
  }
  // Misplaced single-application keys next to `applications:` get the one line telling where they go.
  const topLevel = Object.keys(raw as object).find((key) => !(key in multiApplicationSchema.shape));
  if (topLevel !== undefined && topLevel in factoryConfigSchema.shape) {
    throw new ConfigError(file, [
      `${topLevel}: with applications: every application's settings go under applications.<name>.${topLevel} (move them there)`,
    ]);
  }
  const factory: MultiApplicationConfig = validated(multiApplicationSchema, raw, file);
  const applications = Object.entries(factory.applications).map(([name, application]) => {
    // Both names are at most 31 characters: the pipeline (100) and stack names (128) always fit.
    const pipelineName = `${factory.name}-${name}`;
    const config = resolvePolicyFile(asPipelineConfig(factory, pipelineName, application), file, `applications.${name}.`);
    const repository = config.source.type === 'codeconnections' ? config.source.repository : config.source.repositoryName;
    return { name, config, reportsRepository: `${name}/${repository}` };
  });
  const fixedRepositories = new Map<string, string>();
  for (const application of applications) {
    const fixed = application.config.image.repositoryName;
    if (fixed === undefined || application.config.image.importExistingRepository) continue;
    const other = fixedRepositories.get(fixed);
    if (other !== undefined) {
      throw new ConfigError(file, [
        `applications.${application.name}.image.repositoryName: '${fixed}' is already the repository of application ${other}`,
      ]);
    }
    fixedRepositories.set(fixed, application.name);
  }
  return {
    file,
    name: factory.name,
    layout: 'per-application',
    governance: factory.governance,
    network: factory.network,
    platformEmails: factory.notifications.emails,
    applications,
  };
}

function asPipelineConfig(factory: MultiApplicationConfig, pipelineName: string, application: ApplicationConfig): FactoryConfig {
  return { ...application, name: pipelineName, governance: factory.governance, network: factory.network };
}

function hasApplications(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'applications' in raw;
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf-8');
  } catch (error) {
    throw new ConfigError(file, [`cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  try {
    return extname(file) === '.json' ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(file, [`not valid ${extname(file) === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`]);
  }
}

/** Resolved here, so that the stack reads the policy the config names wherever synth runs from. */
function resolvePolicyFile<T extends { factoryPolicyFile?: string }>(config: T, file: string, path = ''): T {
  if (config.factoryPolicyFile === undefined) return config;
  const factoryPolicyFile = resolve(dirname(file), config.factoryPolicyFile);
  if (!existsSync(factoryPolicyFile)) throw new ConfigError(file, [`${path}factoryPolicyFile: ${factoryPolicyFile} does not exist`]);
  return { ...config, factoryPolicyFile };
}

function validated<T extends z.ZodType>(schema: T, raw: unknown, file: string): z.output<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  throw new ConfigError(file, result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    // A bad application name: the name's own rule, not zod's generic "Invalid key in record".
    const message = issue.code === 'invalid_key' ? issue.issues.map((keyIssue) => keyIssue.message).join('; ') : issue.message;
    return `${path}: ${message}`;
  }));
}
