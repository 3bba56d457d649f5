import { typescript } from 'projen';
import { createInternalPackage } from './internal-package';
import { testKitDependency } from './test-kit';
import { SCOPE, VERSIONS } from './versions';
import { siblingDependency } from './workspace';

/** The kit's npm name: bundled into each construct library, never published on its own. */
export const CONSTRUCT_KIT = `${SCOPE}/construct-kit`;

/**
 * The CDK helpers the construct libraries share (the factory's key, ...): one home, one behaviour, one test,
 * instead of a copy per package that drifts. A private workspace package, bundled into each construct library
 * (its bundledDependencies; scripts/stage-bundled-deps.js stages it at pack time), so consumers install nothing
 * more and no type of it appears in a library's public API (docs/adr/0005-construct-kit.md).
 */
export function createConstructKit(root: typescript.TypeScriptProject): typescript.TypeScriptProject {
  return createInternalPackage(root, {
    outdir: 'packages/construct-kit',
    name: CONSTRUCT_KIT,
    description: 'Internal: CDK helpers shared by the DevSecOps factory construct libraries (bundled into each, not published).',
    peerDeps: [`aws-cdk-lib@${VERSIONS.awsCdkLibPeer}`, `constructs@${VERSIONS.constructsPeer}`],
    devDeps: [
      `aws-cdk-lib@${VERSIONS.awsCdkLibDev}`,
      `constructs@${VERSIONS.constructsDev}`,
      // The acknowledgement helpers are tested against the rules they acknowledge.
      `cdk-nag@${VERSIONS.cdkNag}`,
      `@types/node@${VERSIONS.nodeTypes}`,
      testKitDependency(),
    ],
    es: '2020',
  });
}

/** The dependency spec a construct library bundles the kit with (follows the kit's committed version). */
export function constructKitDependency(): string {
  return siblingDependency(CONSTRUCT_KIT, 'packages/construct-kit');
}
