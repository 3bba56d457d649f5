import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { defaultClients, regionFromSharedConfig } from './clients';
import { readBootstrapQualifier, readCloudAssembly } from './cloud-assembly';
import { exitCode, formatChecklist, runPreflight } from './runner';
import { PreflightClients, Probe } from './types';
import { ConfigError, FactoryDefinition, loadFactory } from '../config/load';
import { FactoryConfig } from '../config/schema';

export const USAGE = 'usage: npm run preflight -- [--config <factory.config.yaml>] [--application <name>] [--region <region>] [--app-repo <path>]';

export interface PreflightOptions {
  readonly configFile: string;
  /** Which application of a file with `applications:` to check. */
  readonly application?: string;
  readonly region?: string;
  readonly appRepository: string;
}

/**
 * Flags over environment over defaults. Relative paths are the caller's: npm runs the workspace script in the
 * app's directory but keeps the directory it was started from in INIT_CWD.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv, appDir: string): PreflightOptions {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (!['--config', '--application', '--region', '--app-repo'].includes(flag)) throw new Error(`unknown argument ${argv[i]}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new Error(`${flag} needs a value\n${USAGE}`);
    flags.set(flag, value);
  }
  const cwd = env.INIT_CWD ?? process.cwd();
  const path = (value: string) => (isAbsolute(value) ? value : resolve(cwd, value));
  const configFile = flags.get('--config') ?? env.FACTORY_CONFIG;
  const appRepository = flags.get('--app-repo');
  return {
    configFile: configFile ? path(configFile) : join(appDir, 'factory.config.yaml'),
    ...(flags.has('--application') ? { application: flags.get('--application') } : {}),
    region: flags.get('--region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    // The reference configuration builds apps/sample-app of this repository.
    appRepository: appRepository ? path(appRepository) : resolve(appDir, '..', '..'),
  };
}

export interface PreflightDependencies {
  readonly clients?: (region: string) => PreflightClients;
  readonly probe?: Probe;
  readonly print?: (line: string) => void;
  readonly printError?: (line: string) => void;
}

/** The whole command: 0 ready, 1 a blocker, 2 a usage or configuration error. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, appDir: string, deps: PreflightDependencies = {}): Promise<number> {
  const print = deps.print ?? ((line: string) => console.log(line));
  const printError = deps.printError ?? ((line: string) => console.error(line));
  let options: PreflightOptions;
  let config;
  try {
    options = parseArgs(argv, env, appDir);
    config = applicationConfig(loadFactory(options.configFile), options.application);
  } catch (error) {
    printError((error as Error).message);
    return 2;
  }
  const region = options.region ?? await regionFromSharedConfig();
  if (!region) {
    printError('no region: set AWS_REGION, pass --region, or set one in your AWS profile');
    return 2;
  }
  const cdkJson = join(appDir, 'cdk.json');
  const output = existsSync(cdkJson) ? (JSON.parse(readFileSync(cdkJson, 'utf-8')) as { output?: string }).output ?? 'cdk.out' : 'cdk.out';
  print(`Preflight for ${options.configFile} in ${region}`);
  const results = await runPreflight({
    config,
    region,
    clients: (deps.clients ?? defaultClients)(region),
    assembly: readCloudAssembly(join(appDir, output)),
    bootstrapQualifier: readBootstrapQualifier(cdkJson),
    appRepository: options.appRepository,
    probe: deps.probe ?? ((url, init) => fetch(url, init)),
  });
  formatChecklist(results).forEach((line) => print(line));
  return exitCode(results);
}

/** The one application preflight checks: the only one, or the one `--application` names. */
function applicationConfig(definition: FactoryDefinition, name: string | undefined): FactoryConfig {
  const names = definition.applications.map((application) => application.name);
  if (name === undefined) {
    if (definition.layout === 'single' || names.length === 1) return definition.applications[0].config;
    throw new ConfigError(definition.file, [`applications: give --application <name>, one of ${names.join(', ')}`]);
  }
  const found = definition.layout === 'per-application' ? definition.applications.find((application) => application.name === name) : undefined;
  if (!found) {
    throw new ConfigError(definition.file, [
      `applications: no application ${name}${definition.layout === 'single' ? ' (the file has no applications:)' : `; one of ${names.join(', ')}`}`,
    ]);
  }
  return found.config;
}
