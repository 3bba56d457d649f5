import { JsonFile, javascript, typescript } from 'projen';
import { lintOptions, pinLintPlugins } from './defaults';
import { VERSIONS } from './versions';

/** Workspace folders, in the order lerna should see them. */
export const WORKSPACES = ['packages/*', 'apps/*'];

/**
 * The monorepo root: owns the single npm install, lerna, and the two commands
 * the README promises (`npm run synth`, `npm test`).
 */
export function createRoot(): typescript.TypeScriptProject {
  const root = new typescript.TypeScriptProject({
    name: 'devsecops-factory',
    description: 'An end-to-end DevSecOps software factory on AWS, as CDK construct libraries and a reference app.',
    defaultReleaseBranch: 'main',
    packageManager: javascript.NodePackageManager.NPM,
    projenrcTs: true,
    // npm 11 asks which install scripts may run: esbuild fetches nothing (its binary comes from an optional dependency) and nx only writes a cache marker.
    allowScripts: ['esbuild', 'nx'],
    projenVersion: VERSIONS.projen,
    typescriptVersion: VERSIONS.typescript,
    minNodeVersion: '20.0.0',
    sampleCode: false,
    jest: false,
    // Lints .projenrc.ts and projenrc/ with the packages' rules; the packages lint themselves in their test task.
    ...lintOptions(),
    prettier: false,
    github: false,
    release: false,
    depsUpgrade: false,
    pullRequestTemplate: false,
    buildWorkflow: false,
    licensed: true,
    license: 'Apache-2.0',
    package: false,
    entrypoint: '',
    tsconfig: { include: ['projenrc/**/*.ts', 'scripts/**/*.ts'], compilerOptions: { rootDir: '.' } },
    devDeps: [
      `lerna@${VERSIONS.lerna}`,
      // Same major as lerna's own conventional-changelog-core 5 (angular preset 7).
      'conventional-changelog-conventionalcommits@7.0.2',
      `constructs@${VERSIONS.constructsDev}`,
      `@types/node@${VERSIONS.nodeTypes}`,
    ],
    gitignore: ['cdk.out/', '.jsii', 'tsconfig.tsbuildinfo', '*.tgz', '.bench/', '/dist/', 'coverage/', 'test-reports/'],
  });
  pinLintPlugins(root);
  root.package.addField('private', true);
  root.package.addField('workspaces', WORKSPACES);

  new JsonFile(root, 'lerna.json', {
    obj: {
      $schema: 'node_modules/lerna/schemas/lerna-schema.json',
      version: 'independent',
      npmClient: 'npm',
      command: {
        version: {
          conventionalCommits: true,
          changelogPreset: 'conventionalcommits',
          message: 'chore(release): publish',
          allowBranch: 'main',
        },
        publish: { conventionalCommits: true },
      },
    },
  });
  return root;
}
