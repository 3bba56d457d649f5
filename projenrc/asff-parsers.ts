import { typescript } from 'projen';
import { addReadyTask } from './construct-library';
import { jestOptions, lintOptions, PACKAGE_DEFAULTS } from './defaults';
import { AUTHOR, AUTHOR_ADDRESS, REPOSITORY_URL, SCOPE, VERSIONS } from './versions';

/**
 * Plain TypeScript (not jsii): the API is built on streams and async
 * iterables, which jsii cannot express.
 */
export function createAsffParsers(root: typescript.TypeScriptProject): typescript.TypeScriptProject {
  const project = new typescript.TypeScriptProject({
    ...PACKAGE_DEFAULTS,
    ...lintOptions(['bench']),
    parent: root,
    outdir: 'packages/asff-parsers',
    name: `${SCOPE}/asff-parsers`,
    description: 'Convert security scanner reports to AWS Security Finding Format, import them into Security Hub, gate builds on them.',
    keywords: ['asff', 'security-hub', 'sarif', 'zap', 'snyk', 'grype', 'trivy', 'devsecops'],
    authorName: AUTHOR,
    authorEmail: AUTHOR_ADDRESS,
    repository: REPOSITORY_URL,
    repositoryDirectory: 'packages/asff-parsers',
    license: 'Apache-2.0',
    jestOptions: jestOptions(60_000),
    bin: { asff: 'bin/asff' },
    deps: [
      `@aws-sdk/client-securityhub@${VERSIONS.awsSdk}`,
      `@aws-sdk/client-s3@${VERSIONS.awsSdk}`,
      `@aws-lambda-powertools/logger@${VERSIONS.powertools}`,
      `@aws-lambda-powertools/metrics@${VERSIONS.powertools}`,
      `@aws-lambda-powertools/tracer@${VERSIONS.powertools}`,
      `yaml@${VERSIONS.yaml}`,
      `saxes@${VERSIONS.saxes}`,
    ],
    devDeps: [
      `@types/node@${VERSIONS.nodeTypes}`,
      '@types/aws-lambda@^8.10.150',
      `fast-check@${VERSIONS.fastCheck}`,
      `esbuild@${VERSIONS.esbuild}`,
      'aws-sdk-client-mock@^4.1.0',
    ],
    tsconfig: { compilerOptions: { lib: ['es2022'], target: 'ES2022' } },
    gitignore: ['/dist/', '/.bench/'],
  });
  project.package.addField('exports', {
    '.': { types: './lib/index.d.ts', default: './lib/index.js' },
    './lambda': { types: './lib/lambda/handler.d.ts', default: './lib/lambda/handler.js' },
    './package.json': './package.json',
  });

  // The Lambda ships as one self-contained file so that construct packages can
  // embed it and consumers need neither esbuild nor Docker at synth time.
  project.addTask('bundle:lambda', {
    description: 'Bundle the findings-processor Lambda handler into dist/lambda/index.js',
    exec: 'esbuild src/lambda/handler.ts --bundle --platform=node --target=node22 --format=cjs --minify --sourcemap=external --legal-comments=external --outfile=dist/lambda/index.js',
  });
  project.postCompileTask.spawn(project.tasks.tryFind('bundle:lambda')!);

  // The bench measures the compiled converter (a child process loads lib/), so compile first.
  const bench = project.addTask('bench', {
    description: 'Benchmarks: conversion throughput and memory, import pacing (prints figures)',
  });
  bench.spawn(project.compileTask);
  bench.exec('node --expose-gc -r ts-node/register/transpile-only bench/index.ts', { receiveArgs: true });
  project.addPackageIgnore('/bench/');
  project.addTask('conformance', {
    description: 'Convert every report of a corpus folder and compare with its expected.tsv',
    exec: 'node bin/asff conformance',
    receiveArgs: true,
  });
  addReadyTask(project);
  return project;
}
