import { combinePolicies } from '../../policy/combine-policies';
import { loadPolicy } from '../../policy/parse-policy';
import { inSourceSuppressionsOf, SecurityPolicy } from '../../policy/security-policy';
import { optionHelp, parseArgs, usageLine, type OptionSpec } from '../args';
import type { CliCommand, CliIo } from '../command';
import { write } from '../output';

/**
 * The settings `asff policy --get` prints: what the gate will apply, after the repository's file has tightened the
 * factory's (never loosened it), with the defaults the policy file leaves unsaid filled in.
 */
const SETTINGS: Readonly<Record<string, (policy: SecurityPolicy) => string>> = {
  'gate.inSourceSuppressions': inSourceSuppressionsOf,
  'gate.mode': (policy) => policy.defaultMode ?? 'all',
};

const OPTIONS: readonly OptionSpec[] = [
  { name: 'policy', kind: 'string', required: true, valueName: '<file>', description: 'the factory-owned policy file' },
  {
    name: 'repository-policy',
    kind: 'string',
    valueName: '<file>',
    description: 'the application repository\'s policy file: may only tighten the factory\'s (as in asff gate)',
  },
  { name: 'get', kind: 'string', required: true, choices: Object.keys(SETTINGS), valueName: '<setting>', description: 'the setting to print' },
];

/**
 * `asff policy --get <setting>`: prints one setting of the policy the gate applies, so that a build script
 * configures its scanners from the same file the gate judges with (a scan stage turns the scanners' in-source
 * suppression comments off when `gate.inSourceSuppressions` is `ignore`). Exit 0, or 2 on a bad policy file.
 */
export const policyCommand: CliCommand = {
  name: 'policy',
  summary: 'print a setting of the policy the gate applies (factory policy, tightened by the repository\'s)',
  usage: `${usageLine('policy', OPTIONS)}\n\n${optionHelp(OPTIONS)}`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { options } = parseArgs(argv, OPTIONS);
    const factory = await loadPolicy(options.policy as string);
    const repositoryFile = options['repository-policy'] as string | undefined;
    const repository = repositoryFile === undefined ? undefined : await loadPolicy(repositoryFile);
    const { policy } = combinePolicies(factory, repository, new Date());
    await write(io.stdout, `${SETTINGS[options.get as string](policy)}\n`);
    return 0;
  },
};
