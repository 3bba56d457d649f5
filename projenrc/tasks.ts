import { typescript } from 'projen';

const LERNA = 'lerna run --stream --concurrency 2';

/**
 * Root tasks delegate to the packages in dependency order through lerna, so
 * `npm test` at the root is the one command that builds and tests everything.
 */
export function addRootTasks(root: typescript.TypeScriptProject): void {
  // `npx asff` must work right after `npm ci`: compile the CLI's package on install.
  root.addTask('prepare', {
    description: 'Compile asff-parsers so the asff CLI runs after npm ci',
    exec: 'lerna run compile --scope @devsecops-factory/asff-parsers',
  });

  root.compileTask.reset(`${LERNA} ready`);

  // First, within seconds: the system tools the tests run for real (one line naming what is missing).
  root.testTask.reset('node scripts/check-test-tools.js');
  root.testTask.exec(`${LERNA} ready`);
  root.testTask.exec('node scripts/run-tests.js');

  root.packageTask.reset(`${LERNA} package`);

  const synth = root.addTask('synth', {
    description: 'Synthesize the reference factory into apps/reference-pipeline/cdk.out and print the compliance summary',
  });
  synth.exec('lerna run ready --stream --scope @devsecops-factory/reference-pipeline --include-dependencies');
  // --quiet: the app prints the stacks and the compliance summary itself; templates go to cdk.out.
  synth.exec('cdk synth --quiet', { cwd: 'apps/reference-pipeline' });

  // lerna runs the root `version` lifecycle script after bumping and before its release commit:
  // re-synthesize so projen's dependency records follow the new sibling versions, and stage them.
  const version = root.addTask('version', {
    description: 'lerna lifecycle: re-synthesize after a version bump and stage the generated files',
  });
  version.exec('projen');
  // lerna refuses to version a dirty tree, so every tracked change here is projen's.
  version.exec('git add --update .projen packages apps package-lock.json');

  root.addTask('preflight', {
    description: 'Check the target AWS account and region for what would stop the first deploy (reference app)',
    exec: 'npm run preflight --workspace apps/reference-pipeline --',
    receiveArgs: true,
  });

  const bench = root.addTask('bench', {
    description: 'Run the asff-parsers benchmarks and the reference factory\'s synth benchmark, and print the figures',
    exec: 'npm run bench --workspace packages/asff-parsers',
  });
  bench.exec('npm run bench --workspace apps/reference-pipeline');
}
