import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkWithAwsCli } from '../support/aws-cli';
import { DocCommand, docCommands } from '../support/doc-commands';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** Every Markdown file an operator or a consumer reads: the docs and the READMEs. */
function markdownFiles(): string[] {
  const files: string[] = [join(ROOT, 'README.md')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.md')) files.push(join(dir, entry.name));
    }
  };
  walk(join(ROOT, 'docs'));
  for (const group of ['packages', 'apps']) {
    for (const name of readdirSync(join(ROOT, group))) files.push(join(ROOT, group, name, 'README.md'));
  }
  return files;
}

const commands: DocCommand[] = markdownFiles().flatMap((file) => {
  try {
    return docCommands(file, relative(ROOT, file));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
});

const LAKE_CONFIGURATION = 'crawlerConfiguration={roleArn=sample-value},providerIdentity={principal=sample-value,externalId=sample-value}';

describe('the AWS CLI commands the docs tell an operator to run', () => {
  test('the docs name the commands of the runbook (deploy, operations, parser pages)', () => {
    const where = new Set(commands.map((c) => c.where.split(':')[0]));
    expect([...where]).toEqual(expect.arrayContaining(['docs/deploy.md', 'docs/operations.md']));
    expect(commands.filter((c) => c.where.startsWith('docs/deploy.md:')).length).toBeGreaterThanOrEqual(10);
  });

  test('every one is accepted by the real AWS CLI v2: service, operation, options, required options and values', () => {
    const verdicts = checkWithAwsCli(commands.map((c) => c.argv), {
      requiredOptions: (argv) => commands.find((c) => c.argv === argv)?.complete ?? true,
    });
    const rejected = verdicts.flatMap((v, i) => (v.rejection ? [`${commands[i].where}: \`${commands[i].text}\`: ${v.rejection}`] : []));
    expect(rejected).toEqual([]);
  });

  test('the check rejects what the CLI rejects: a misspelt operation, an unknown option, a missing required option', () => {
    const verdicts = checkWithAwsCli([
      ['securityhub', 'describe-hubs'],
      ['ecr', 'delete-repository', '--repository-name', 'sample-value', '--forced'],
      ['ssm', 'put-parameter', '--name', '/sample/name', '--type', 'String'],
      ['ecr', 'delete-repository', '--repository-name', 'sample-value', '--force'],
      // Newer than Debian's CLI: judged by the SDK v3 client's model, which knows access entries.
      ['eks', 'update-cluster-config', '--name', 'sample-value', '--access-config', 'authenticationMode=API_AND_CONFIG_MAP'],
      ['eks', 'update-cluster-config', '--name', 'sample-value', '--access-configs', 'authenticationMode=API_AND_CONFIG_MAP'],
      // Debian's CLI knows the preview API of this operation: judged by the current model, required members included.
      ['securitylake', 'create-custom-log-source', '--source-name', 'sample-value', '--configuration', LAKE_CONFIGURATION],
      ['securitylake', 'create-custom-log-source', '--event-classes', 'VULNERABILITY_FINDING', '--configuration', LAKE_CONFIGURATION],
    ]);
    expect(verdicts.map((v) => v.rejection)).toEqual([
      expect.stringMatching(/Invalid choice: describe-hubs/),
      expect.stringMatching(/Unknown options: --forced/),
      expect.stringMatching(/required: --value/),
      undefined,
      undefined,
      expect.stringMatching(/UpdateClusterConfigRequest has no access-configs either/),
      undefined,
      expect.stringMatching(/the following arguments are required/),
    ]);
    expect(verdicts[6].newerThanCli).toMatch(/client-securitylake/);
    expect(verdicts[4].newerThanCli).toMatch(/client-eks/);
  });
});
