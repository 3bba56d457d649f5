import { cdk, typescript } from 'projen';
import { constructKitDependency } from './construct-kit';
import { createConstructLibrary } from './construct-library';
import { SCOPE, VERSIONS } from './versions';
import { siblingDependency } from './workspace';

/**
 * The canonical buildspecs live in /buildspecs; each construct package embeds
 * the ones it uses at build time (never copied by hand).
 */
function embedBuildspecs(project: cdk.JsiiProject, names: string[]): void {
  project.preCompileTask.exec(`node ../../scripts/embed-buildspecs.js assets/buildspecs ${names.join(' ')}`);
}

export function createScanStageConstruct(root: typescript.TypeScriptProject): cdk.JsiiProject {
  const project = createConstructLibrary({
    parent: root,
    name: 'scan-stage-construct',
    description: 'CodePipeline security stages (secrets, SAST, image SCA, ECR scan, DAST) and the Security Hub findings processor.',
    keywords: ['codepipeline', 'codebuild', 'sast', 'dast', 'sca'],
    pythonModule: 'devsecops_factory.scan_stage_construct',
    bundledDeps: [`yaml@${VERSIONS.yaml}`, constructKitDependency()],
    devDeps: [siblingDependency(`${SCOPE}/asff-parsers`, 'packages/asff-parsers')],
  });
  embedBuildspecs(project, [
    'secrets-scan.yml',
    'code-scan.yml',
    'image-scan.yml',
    'ecr-scan.yml',
    'dast-scan.yml',
    // Run first in every scan stage's install and build phases (src/private/buildspec.ts).
    'install-asff-cli.sh',
    'prepare-scan.sh',
    // Run first in a stage's install phase with the toolbox image or the database mirror (src/private/offline-build.ts),
    // and the mirror job's own buildspec (src/database-mirror.ts).
    'toolbox.sh',
    'mirror-db.sh',
    'mirror-databases.yml',
    // Installed in every stage to judge its tools together (src/private/buildspec.ts)...
    'gate-stage.sh',
    // ...and in pull-request builds to post the gate's summary back to the provider.
    'post-feedback.sh',
  ]);
  // The findings-processor Lambda and the asff CLI, pre-bundled together by asff-parsers, ship inside this package.
  project.preCompileTask.exec('node ../../scripts/embed-bundle.js ../asff-parsers/dist/lambda assets/findings-processor');
  project.preCompileTask.exec('node ../../scripts/embed-bundle.js ../asff-parsers/dist/cli assets/asff-cli');
  return project;
}

export function createEksDeployConstruct(root: typescript.TypeScriptProject): cdk.JsiiProject {
  const project = createConstructLibrary({
    parent: root,
    name: 'eks-deploy-construct',
    description: 'Deploy a scanned container image by digest to staging and production EKS, with approval gates and rollback.',
    keywords: ['eks', 'kubernetes', 'cdk8s', 'codepipeline'],
    pythonModule: 'devsecops_factory.eks_deploy_construct',
    bundledDeps: [`yaml@${VERSIONS.yaml}`, `cdk8s@${VERSIONS.cdk8s}`, `cdk8s-plus-33@${VERSIONS.cdk8sPlus}`, constructKitDependency()],
  });
  embedBuildspecs(project, ['eks-deploy.yml', 'admission-check.js']);
  return project;
}

export function createGovernanceConstruct(root: typescript.TypeScriptProject): cdk.JsiiProject {
  return createConstructLibrary({
    parent: root,
    name: 'governance-construct',
    description: 'Audit, notification and compliance controls around a DevSecOps pipeline: CloudTrail, EventBridge, AWS Config, Security Hub.',
    keywords: ['cloudtrail', 'config', 'governance', 'nist-800-53'],
    pythonModule: 'devsecops_factory.governance_construct',
    bundledDeps: [constructKitDependency()],
  });
}
