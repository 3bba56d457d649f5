import { cdk, javascript, typescript } from 'projen';
import { jestOptions, lintOptions, PACKAGE_DEFAULTS } from './defaults';
import { testKitDependency } from './test-kit';
import { AUTHOR, AUTHOR_ADDRESS, REPOSITORY_URL, SCOPE, VERSIONS } from './versions';

export interface ConstructLibraryOptions {
  readonly parent: typescript.TypeScriptProject;
  /** Folder under packages/ and the npm name under the scope. */
  readonly name: string;
  readonly description: string;
  readonly keywords?: string[];
  /** Runtime dependencies bundled into the jsii package (consumers in other languages cannot npm install them). */
  readonly bundledDeps?: string[];
  readonly devDeps?: string[];
  /** Python module name for the jsii-pacmak code-only build check. */
  readonly pythonModule: string;
}

/**
 * A jsii construct library with the factory's conventions: aws-cdk-lib and
 * constructs as peer dependencies (one copy in the workspace), cdk-nag for
 * tests only (acknowledgements live in aws-cdk-lib), API.md from jsii-docgen,
 * and a Python code-generation check that needs no registry.
 */
export function createConstructLibrary(options: ConstructLibraryOptions): cdk.JsiiProject {
  const project = new cdk.JsiiProject({
    ...PACKAGE_DEFAULTS,
    ...lintOptions(['scripts']),
    parent: options.parent,
    outdir: `packages/${options.name}`,
    name: `${SCOPE}/${options.name}`,
    description: options.description,
    keywords: ['aws-cdk', 'cdk', 'devsecops', 'security-hub', ...(options.keywords ?? [])],
    author: AUTHOR,
    authorAddress: AUTHOR_ADDRESS,
    repositoryUrl: REPOSITORY_URL,
    repositoryDirectory: `packages/${options.name}`,
    license: 'Apache-2.0',
    jsiiVersion: VERSIONS.jsii,
    jestOptions: jestOptions(),
    peerDependencyOptions: { pinnedDevDependency: false },
    peerDeps: [`aws-cdk-lib@${VERSIONS.awsCdkLibPeer}`, `constructs@${VERSIONS.constructsPeer}`],
    bundledDeps: options.bundledDeps,
    devDeps: [
      `aws-cdk-lib@${VERSIONS.awsCdkLibDev}`,
      `constructs@${VERSIONS.constructsDev}`,
      `cdk-nag@${VERSIONS.cdkNag}`,
      `@types/node@${VERSIONS.nodeTypes}`,
      testKitDependency(),
      ...(options.devDeps ?? []),
    ],
    stability: 'experimental',
    publishToPypi: { distName: `devsecops-factory.${options.name}`, module: options.pythonModule },
    gitignore: ['/assets/', '/dist/'],
  });
  // Python bindings are generated (not built into a wheel) to prove the API is
  // jsii-clean for other languages without needing a Python registry.
  project.addTask('check:python', {
    description: 'Generate the Python bindings with jsii-pacmak --code-only (build check, no registry)',
    exec: 'jsii-pacmak --code-only --targets python --outdir dist/python-code --force',
  });
  // npm workspaces hoist the bundled dependencies to the root, where `npm pack` (run by jsii-pacmak, lerna
  // publish or by hand) does not look: stage them into the package's own node_modules for the pack, then remove them.
  if ((options.bundledDeps ?? []).length > 0) {
    project.addTask('prepack', {
      description: 'npm lifecycle: copy the bundled dependencies into node_modules/ so that the tarball carries them',
      exec: 'node ../../scripts/stage-bundled-deps.js .',
    });
    project.addTask('postpack', {
      description: 'npm lifecycle: remove the bundled dependencies prepack copied',
      exec: 'node ../../scripts/stage-bundled-deps.js . --clean',
    });
  }
  // Repository-only helpers (doc generators) are not part of the library.
  project.addPackageIgnore('/scripts/');
  // jsii-docgen only searches the package folder for dependency assemblies; workspaces hoist them.
  project.tasks.tryFind('docgen')?.reset('node ../../scripts/docgen.js');
  addReadyTask(project);
  return project;
}

/**
 * `ready`: everything a dependent package or the reference app needs from this
 * one (generated assets, compiled output), without running its tests.
 */
export function addReadyTask(project: javascript.NodeProject): void {
  const ready = project.addTask('ready', { description: 'Compile and generate what dependents need (no tests)' });
  ready.spawn(project.tasks.tryFind('pre-compile')!);
  ready.spawn(project.tasks.tryFind('compile')!);
  ready.spawn(project.tasks.tryFind('post-compile')!);
}
