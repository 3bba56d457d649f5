import { javascript, typescript } from 'projen';
import { addReadyTask } from './construct-library';
import { jestOptions, lintOptions, PACKAGE_DEFAULTS } from './defaults';
import { AUTHOR, AUTHOR_ADDRESS, REPOSITORY_URL, SCOPE, VERSIONS } from './versions';

/** Dependencies published only as ES modules; jest (CommonJS here) compiles them like the sources. */
const ESM_DEPENDENCIES = { 'hyparquet-writer': '^0.17.0', 'hyparquet': '^1.31.5' } as const;

/**
 * jest 29 loads modules as CommonJS and does not transform node_modules: an ES-module-only dependency fails
 * with `Cannot use import statement outside a module`. ts-jest compiles those packages' JavaScript to CommonJS
 * too (Node and esbuild load them as they are: the Lambda and CLI bundles, `require` on Node >= 20.19).
 */
function esmDependencyJestOptions(options: javascript.JestOptions): javascript.JestOptions {
  const names = Object.keys(ESM_DEPENDENCIES).join('|');
  return {
    ...options,
    jestConfig: {
      ...options.jestConfig,
      transform: {
        [`^.+/node_modules/(${names})/.+\\.js$`]: new javascript.Transform('ts-jest', {
          tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', esModuleInterop: true },
          diagnostics: false,
        }),
      },
      transformIgnorePatterns: [`/node_modules/(?!(${names})/)`],
    },
  };
}

/**
 * Plain TypeScript (not jsii): the API is built on streams and async
 * iterables, which jsii cannot express.
 */
export function createAsffParsers(root: typescript.TypeScriptProject): typescript.TypeScriptProject {
  const project = new typescript.TypeScriptProject({
    ...PACKAGE_DEFAULTS,
    ...lintOptions(['bench', 'scripts']),
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
    jestOptions: esmDependencyJestOptions(jestOptions(60_000)),
    bin: { asff: 'bin/asff' },
    deps: [
      `@aws-sdk/client-securityhub@${VERSIONS.awsSdk}`,
      `@aws-sdk/client-s3@${VERSIONS.awsSdk}`,
      // The findings processor writes to Security Lake as the custom sources' provider roles (sts:AssumeRole).
      `@aws-sdk/client-sts@${VERSIONS.awsSdk}`,
      `@aws-lambda-powertools/logger@${VERSIONS.powertools}`,
      `@aws-lambda-powertools/metrics@${VERSIONS.powertools}`,
      `@aws-lambda-powertools/tracer@${VERSIONS.powertools}`,
      `yaml@${VERSIONS.yaml}`,
      `saxes@${VERSIONS.saxes}`,
      // The SPDX licence list (CC0-1.0, 30 KB): the licence policy refuses an id that is not on it (a typo must not deny nothing).
      'spdx-license-ids@^3.0.24',
      // CVSS v3.x/v4.0 base scores for tools that give only a vector (Apache-2.0, no dependencies).
      'ae-cvss-calculator@^1.0.13',
      // Parquet for the Security Lake custom-source writer (MIT, pure JavaScript, one dependency: hyparquet):
      // nested groups, lists and maps as Parquet types, no native or WASM code to bundle into the Lambda.
      `hyparquet-writer@${ESM_DEPENDENCIES['hyparquet-writer']}`,
    ],
    devDeps: [
      `@types/node@${VERSIONS.nodeTypes}`,
      '@types/aws-lambda@^8.10.150',
      `fast-check@${VERSIONS.fastCheck}`,
      `esbuild@${VERSIONS.esbuild}`,
      'aws-sdk-client-mock@^4.1.0',
      // Reads the Parquet the writer produces back in the tests (a reader, not the writer's own code path).
      `hyparquet@${ESM_DEPENDENCIES.hyparquet}`,
      // A second reader that shares no code with the writer and runs wherever the tests do: Apache arrow-rs's
      // Parquet reader compiled to WebAssembly (MIT OR Apache-2.0; its node build is CommonJS and reads its .wasm
      // from its own folder), and Apache Arrow's JavaScript library (Apache-2.0) to decode the Arrow IPC it returns.
      'parquet-wasm@^0.8.0',
      'apache-arrow@^21.2.0',
    ],
    tsconfig: { compilerOptions: { lib: ['es2022'], target: 'ES2022' } },
    gitignore: ['/dist/', '/.bench/'],
  });
  // The root is the supported API; each subpath is an advanced but supported entry (README "Public API",
  // docs/adr/0006-asff-parsers-public-api.md). Every other module under lib/ is internal and unreachable.
  const entries: Record<string, string> = {
    asff: 'asff/index',
    streams: 'streams/index',
    importer: 'importer/index',
    ocsf: 'ocsf/index',
    lambda: 'lambda/handler',
  };
  project.package.addField('exports', {
    '.': { types: './lib/index.d.ts', default: './lib/index.js' },
    ...Object.fromEntries(Object.entries(entries).map(([name, file]) => [`./${name}`, { types: `./lib/${file}.d.ts`, default: `./lib/${file}.js` }])),
    './package.json': './package.json',
  });
  // TypeScript's node10 resolution (`moduleResolution: node`, the default with `module: commonjs`) ignores
  // `exports`; typesVersions gives it the same subpaths. Node itself resolves them through `exports`.
  project.package.addField('typesVersions', {
    '*': Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, [`lib/${file}.d.ts`]])),
  });

  // The Lambda and the CLI ship as one self-contained file each, built together from the same sources, so that
  // construct packages can embed both (consumers need neither esbuild, Docker nor a registry at synth or build time).
  project.addTask('bundle', {
    description: 'Bundle the findings-processor Lambda (dist/lambda/) and the asff CLI (dist/cli/), each with its third-party notices',
    exec: 'node ../../scripts/bundle-asff.js',
  });
  project.postCompileTask.spawn(project.tasks.tryFind('bundle')!);
  // The published package carries the CLI bundle too: AsffCli.fromCodeArtifact installs that one
  // integrity-checked file and resolves none of the package's dependencies from a registry.
  // (projen's `dist` pattern only names the folder: once a file inside is re-included, its files need their own.)
  project.addPackageIgnore('/dist/**');
  project.addPackageIgnore('!/dist/cli/asff.js');
  project.addPackageIgnore('!/dist/cli/THIRD-PARTY-NOTICES.txt');

  // The bench measures the compiled converter (a child process loads lib/), so compile first.
  const bench = project.addTask('bench', {
    description: 'Benchmarks: conversion throughput and memory, import pacing (prints figures)',
  });
  bench.spawn(project.compileTask);
  bench.exec('node --expose-gc -r ts-node/register/transpile-only bench/index.ts', { receiveArgs: true });
  project.addPackageIgnore('/bench/');
  // The registry, docs/parsers/<tool>.md and the README's tool tables are rendered from each parser's folder
  // (src/parsers/<tool>/: metadata in index.ts, prose in doc.md); a test fails when one is stale. Compiling
  // regenerates them first, so that a new parser folder is in the registry the CLI is compiled with.
  const parserDocs = project.addTask('docs:parsers', {
    description: 'Regenerate the parser registry, docs/parsers/<tool>.md and the README tool tables from src/parsers/<tool>/',
    exec: 'node -r ts-node/register/transpile-only scripts/parser-docs.ts',
  });
  project.compileTask.prependSpawn(parserDocs);
  project.addPackageIgnore('/scripts/');
  project.addTask('conformance', {
    description: 'Convert every report of a corpus folder and compare with its expected.tsv',
    exec: 'node bin/asff conformance',
    receiveArgs: true,
  });
  addReadyTask(project);
  return project;
}
