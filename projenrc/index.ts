import { typescript } from 'projen';
import { createReferencePipeline, createSampleApp } from './apps';
import { createAsffParsers } from './asff-parsers';
import { createConstructKit } from './construct-kit';
import { createEksDeployConstruct, createGovernanceConstruct, createScanStageConstruct } from './constructs';
import { enforceMaxLen, pinLintPlugins, typeCheckDevFolders } from './defaults';
import { createRoot } from './root';
import { addRootTasks } from './tasks';
import { createTestKit } from './test-kit';
import { delegateInstallToRoot } from './workspace';

export function createWorkspace(): typescript.TypeScriptProject {
  return createRoot();
}

/** Declares every workspace package and wires the root tasks over them. */
export function createConstructLibraries(root: typescript.TypeScriptProject): void {
  const packages = [
    createTestKit(root),
    createConstructKit(root),
    createAsffParsers(root),
    createScanStageConstruct(root),
    createEksDeployConstruct(root),
    createGovernanceConstruct(root),
    createReferencePipeline(root),
    createSampleApp(root),
  ];
  // projen ignores any folder named `logs`, which would silently drop `src/logs/` source folders.
  for (const project of [root, ...packages]) {
    project.gitignore.removePatterns('logs');
    project.gitignore.exclude('/logs/');
  }
  packages.forEach(pinLintPlugins);
  packages.forEach(typeCheckDevFolders);
  [root, ...packages].forEach(enforceMaxLen);
  delegateInstallToRoot(root, packages);
  addRootTasks(root);
}
