import { typescript } from 'projen';
import { createInternalPackage } from './internal-package';
import { SCOPE, VERSIONS } from './versions';
import { siblingDependency } from './workspace';

/** The test kit's npm name: a dev dependency of the packages, never published or bundled. */
export const TEST_KIT = `${SCOPE}/test-kit`;

/**
 * The test helpers the packages share (cdk-nag findings and acknowledgements, the policy statements of a template,
 * the README examples' compiler): one home instead of a copy per package. A private workspace package that the
 * packages list as a dev dependency only, so no tarball carries it (docs/adr/0008-test-kit.md).
 */
export function createTestKit(root: typescript.TypeScriptProject): typescript.TypeScriptProject {
  return createInternalPackage(root, {
    outdir: 'packages/test-kit',
    name: TEST_KIT,
    description: 'Internal: test helpers shared by the DevSecOps factory packages (a dev dependency, never published).',
    // The packages' own copies: one aws-cdk-lib, constructs and cdk-nag in the workspace, so instanceof holds.
    peerDeps: [
      `aws-cdk-lib@${VERSIONS.awsCdkLibPeer}`,
      `constructs@${VERSIONS.constructsPeer}`,
      `cdk-nag@${VERSIONS.cdkNag}`,
      `typescript@${VERSIONS.typescript}`,
    ],
    devDeps: [
      `aws-cdk-lib@${VERSIONS.awsCdkLibDev}`,
      `constructs@${VERSIONS.constructsDev}`,
      `cdk-nag@${VERSIONS.cdkNag}`,
      `@types/node@${VERSIONS.nodeTypes}`,
    ],
    es: '2022',
  });
}

/** The dev dependency spec a package uses the test kit with (follows the kit's committed version). */
export function testKitDependency(): string {
  return siblingDependency(TEST_KIT, 'packages/test-kit');
}
