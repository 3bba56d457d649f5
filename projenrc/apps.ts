import { awscdk, typescript } from 'projen';
import { constructKitDependency } from './construct-kit';
import { addReadyTask } from './construct-library';
import { jestOptions, lintOptions, PACKAGE_DEFAULTS } from './defaults';
import { testKitDependency } from './test-kit';
import { SCOPE, VERSIONS } from './versions';
import { siblingDependency } from './workspace';

/** The AWS SDK clients the reference app's preflight reads the target account with. */
const PREFLIGHT_CLIENTS = [
  'client-sts', 'client-ssm', 'client-securityhub', 'client-config-service', 'client-codestar-connections',
  'client-eks', 'client-ecr', 'client-lambda',
];

/** The private CDK app that assembles the published constructs into the whole factory. */
export function createReferencePipeline(root: typescript.TypeScriptProject): awscdk.AwsCdkTypeScriptApp {
  const project = new awscdk.AwsCdkTypeScriptApp({
    ...PACKAGE_DEFAULTS,
    ...lintOptions(['scripts']),
    parent: root,
    outdir: 'apps/reference-pipeline',
    name: `${SCOPE}/reference-pipeline`,
    description: 'Reference DevSecOps factory: the constructs assembled into one compliant pipeline.',
    cdkVersion: VERSIONS.awsCdkLibDev,
    cdkCliVersion: VERSIONS.awsCdkCli,
    constructsVersion: VERSIONS.constructsDev,
    jestOptions: jestOptions(120_000),
    requireApproval: awscdk.ApprovalLevel.BROADENING,
    licensed: false,
    deps: [
      `cdk-nag@${VERSIONS.cdkNag}`,
      `yaml@${VERSIONS.yaml}`,
      `zod@${VERSIONS.zod}`,
      // `npm run preflight`: read-only checks of the target account before the first deploy.
      ...PREFLIGHT_CLIENTS.map((client) => `@aws-sdk/${client}@${VERSIONS.awsSdk}`),
      siblingDependency(`${SCOPE}/scan-stage-construct`, 'packages/scan-stage-construct'),
      siblingDependency(`${SCOPE}/eks-deploy-construct`, 'packages/eks-deploy-construct'),
      siblingDependency(`${SCOPE}/governance-construct`, 'packages/governance-construct'),
      // The factory policy's gate.sla sets the findings processor's overdue ages: read with the parser `asff gate` uses.
      siblingDependency(`${SCOPE}/asff-parsers`, 'packages/asff-parsers'),
      constructKitDependency(),
    ],
    devDeps: [
      `@types/node@${VERSIONS.nodeTypes}`,
      testKitDependency(),
      `@aws-cdk/integ-tests-alpha@${VERSIONS.integTestsAlpha}`,
      `@aws-cdk/integ-runner@${VERSIONS.integRunner}`,
      'aws-sdk-client-mock@^4.1.0',
      // docs/ocsf.md's `aws securitylake` commands are newer than Debian's CLI v2 (its Security Lake is the preview
      // API): the runbook-commands test checks them against this client's model instead.
      `@aws-sdk/client-securitylake@${VERSIONS.awsSdk}`,
    ],
    gitignore: ['/cdk.out/'],
  });
  project.package.addField('private', true);
  // Types are hoisted to the workspace root; a package-local typeRoots hides them.
  project.tsconfig?.file.addDeletionOverride('compilerOptions.typeRoots');
  // The root `synth` task synthesizes once, on purpose; compiling (and so `npm test`) need not.
  project.postCompileTask.reset();
  project.addTask('integ:snapshot', {
    description: 'Re-record the integ-runner snapshot of test/integ/integ.factory.ts after an intended change',
    exec: 'ts-node --transpile-only scripts/record-integ-snapshot.ts',
  });
  project.addTask('preflight', {
    description: 'Check the target account and region before the first deploy (read-only AWS calls); exit 1 on a blocker',
    exec: 'ts-node --transpile-only scripts/preflight.ts',
    receiveArgs: true,
  });
  project.addTask('bench', {
    description: 'Synth time, resource count and template size of the factory for 1, 10 and 50 applications',
    exec: 'ts-node --transpile-only scripts/bench.ts',
    receiveArgs: true,
  });
  addReadyTask(project);
  return project;
}

/** The small web service the factory builds in docs and tests. */
export function createSampleApp(root: typescript.TypeScriptProject): typescript.TypeScriptProject {
  const project = new typescript.TypeScriptProject({
    ...PACKAGE_DEFAULTS,
    ...lintOptions(),
    parent: root,
    outdir: 'apps/sample-app',
    name: `${SCOPE}/sample-app`,
    description: 'A small web service with a Dockerfile and Kubernetes manifests, built by the reference pipeline.',
    jestOptions: jestOptions(),
    licensed: false,
    devDeps: [`@types/node@${VERSIONS.nodeTypes}`, `yaml@${VERSIONS.yaml}`],
  });
  project.package.addField('private', true);
  addReadyTask(project);
  return project;
}
