import { typescript } from 'projen';
import { addReadyTask } from './construct-library';
import { jestOptions, lintOptions, PACKAGE_DEFAULTS } from './defaults';
import { AUTHOR, AUTHOR_ADDRESS, REPOSITORY_URL } from './versions';

export interface InternalPackageOptions {
  /** The npm name (the workspace links it by this name). */
  readonly name: string;
  /** The folder under the root, e.g. `packages/test-kit`. */
  readonly outdir: string;
  readonly description: string;
  readonly peerDeps: string[];
  readonly devDeps: string[];
  /** The ECMAScript version of `lib` and `target`, e.g. `2022`. */
  readonly es: string;
}

/**
 * A private workspace package (construct-kit, test-kit): laid out, linted and tested like the published ones,
 * marked private so lerna publish skips it, built by `ready` like the others.
 */
export function createInternalPackage(root: typescript.TypeScriptProject, options: InternalPackageOptions): typescript.TypeScriptProject {
  const project = new typescript.TypeScriptProject({
    ...PACKAGE_DEFAULTS,
    ...lintOptions(),
    parent: root,
    outdir: options.outdir,
    name: options.name,
    description: options.description,
    authorName: AUTHOR,
    authorEmail: AUTHOR_ADDRESS,
    repository: REPOSITORY_URL,
    repositoryDirectory: options.outdir,
    license: 'Apache-2.0',
    jestOptions: jestOptions(),
    peerDependencyOptions: { pinnedDevDependency: false },
    peerDeps: options.peerDeps,
    devDeps: options.devDeps,
    tsconfig: { compilerOptions: { lib: [`es${options.es}`], target: `ES${options.es}` } },
  });
  project.package.addField('private', true);
  addReadyTask(project);
  return project;
}
