import { javascript } from 'projen';
import { VERSIONS } from './versions';

/**
 * Options every workspace package shares. Releases, workflows and dependency
 * upgrades are the monorepo's business (lerna), not each package's.
 */
export const PACKAGE_DEFAULTS = {
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  typescriptVersion: VERSIONS.typescript,
  minNodeVersion: '20.0.0',
  eslint: false,
  prettier: false,
  sampleCode: false,
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  buildWorkflow: false,
} as const;

/** jest as every package runs it: snapshots never rewritten by the test task, no silent pass without tests. */
export function jestOptions(testTimeout?: number): javascript.JestOptions {
  return {
    jestVersion: VERSIONS.jest,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    ...(testTimeout ? { jestConfig: { testTimeout } } : {}),
  };
}
