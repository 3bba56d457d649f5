import { existsSync } from 'fs';
import { join } from 'path';
import { javascript, typescript } from 'projen';
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
  prettier: false,
  sampleCode: false,
  github: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  buildWorkflow: false,
} as const;

/**
 * jest as every package runs it: snapshots never rewritten by the test task, no silent pass without tests.
 * Coverage is not collected by the test task: V8 coverage with source-map remapping cost 60% more CPU (governance:
 * 125 s against 79 s, same 143 tests), which CI's 20 minutes on 2 cores cannot afford and nothing gates on;
 * `npx jest --coverage` in a package measures it when wanted.
 */
export function jestOptions(testTimeout?: number): javascript.JestOptions {
  return {
    jestVersion: VERSIONS.jest,
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: { collectCoverage: false, ...(testTimeout ? { testTimeout } : {}) },
  };
}

/**
 * ESLint as every package runs it (projen's config and rules, legacy config
 * format): `src/` may import only runtime dependencies, the dev folders may
 * import dev dependencies too. The test task never rewrites sources (`--fix`
 * off), so CI fails on a lint error instead of silently fixing it; run
 * `npx projen eslint --fix` in a package to fix locally.
 */
export function lintOptions(devdirs: string[] = []): { eslint: boolean; eslintOptions: javascript.EslintOptions } {
  return {
    eslint: true,
    eslintOptions: {
      dirs: ['src'],
      devdirs: ['test', ...devdirs],
      fileExtensions: ['.ts'],
      commandOptions: { fix: false, extraArgs: ['--max-warnings=0'] },
    },
  };
}

/**
 * Lines of code stay within 150 characters, strings, template literals and
 * regular expressions included (wrap them or move them into named constants);
 * only comments (prose) and URLs (which cannot be wrapped) may run longer.
 */
export function enforceMaxLen(project: javascript.NodeProject): void {
  javascript.Eslint.of(project)?.addRules({ '@stylistic/max-len': ['error', { code: 150, ignoreUrls: true, ignoreComments: true }] });
}

/**
 * projen adds the import plugin and resolver unversioned ("*"), which a
 * workspace package cannot resolve before the root has installed them; pin
 * them so the first install already has them.
 */
export function pinLintPlugins(project: javascript.NodeProject): void {
  project.addDevDeps(`eslint-plugin-import@${VERSIONS.eslintPluginImport}`, `eslint-import-resolver-typescript@${VERSIONS.eslintImportResolverTs}`);
}

/**
 * Typed linting resolves each file's nearest tsconfig.json, so each dev folder
 * beside `test/` (bench, scripts) gets one of its own, shaped like projen's
 * test tsconfig: type-check only, every compiler option from the package's.
 */
export function typeCheckDevFolders(project: typescript.TypeScriptProject): void {
  const devFolders = (project.eslint?.lintPatterns ?? []).filter(
    (dir) => dir !== project.srcdir && dir !== project.testdir && existsSync(join(project.outdir, dir)),
  );
  for (const dir of devFolders) {
    const config = new javascript.TypescriptConfig(project, {
      fileName: `${dir}/tsconfig.json`,
      include: ['**/*.ts'],
      exclude: ['node_modules'],
      compilerOptions: { noEmit: true, rootDir: '..' },
    });
    config.addExtends(project.tsconfig!);
    project.npmignore?.exclude(`/${dir}/tsconfig.json`);
  }
}
