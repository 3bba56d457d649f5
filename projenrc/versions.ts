/**
 * Every third-party version the monorepo depends on, in one place, so that all
 * packages resolve to one copy of each (two copies of aws-cdk-lib or constructs
 * in one node_modules tree break `instanceof` checks across packages).
 */
export const VERSIONS = {
  projen: '0.103.25',
  typescript: '~5.9.3',
  jsii: '~5.9.0',
  jest: '^29',
  nodeTypes: '^20',
  /**
   * Floor for consumers. cdk-nag 3 only fails synth from 2.262.0 on, and before 2.269.0 `Validations.acknowledge`
   * rejects any rule id with `::` inside it, which every finding-scoped cdk-nag id has
   * (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`): the constructs then throw at construction. The root
   * consumer test (test/consumer) synthesizes every construct at this floor.
   */
  awsCdkLibPeer: '^2.269.0',
  awsCdkLibDev: '2.276.0',
  /** cdk-nag 3.0.2, which consumers gate synth with, needs constructs ^10.5.1. */
  constructsPeer: '^10.5.1',
  constructsDev: '10.8.1',
  awsCdkCli: '2.1148.1',
  cdkNag: '3.0.2',
  lerna: '9.0.7',
  esbuild: '0.28.2',
  awsSdk: '^3.1000.0',
  powertools: '^2.36.0',
  fastCheck: '^4.10.2',
  yaml: '^2.8.0',
  zod: '^4.1.0',
  saxes: '^6.0.0',
  cdk8s: '^2.70.106',
  cdk8sPlus: '^2.5.57',
  integTestsAlpha: '2.245.0-alpha.0',
  integRunner: '2.197.10',
  eslintPluginImport: '^2.32.0',
  /** 3.8 resolves in plain JS; 3.9+ and 4.x pull native resolver bindings whose every platform build must be in the registry for `npm ci`. */
  eslintImportResolverTs: '~3.8.7',
} as const;

export const SCOPE = '@devsecops-factory';
export const REPOSITORY_URL = 'https://github.com/devsecops-factory/devsecops-factory.git';
export const AUTHOR = 'DevSecOps Factory maintainers';
export const AUTHOR_ADDRESS = 'maintainers@devsecops-factory.dev';
