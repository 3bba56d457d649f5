// The packages as a consumer gets them. Packs every publishable package exactly as a release does
// (`npx projen package`: jsii-pacmak for the construct libraries, npm pack for asff-parsers; prepack stages the
// bundled dependencies), installs the tarballs into a throwaway CDK app outside the workspace with nothing but
// aws-cdk-lib, constructs, cdk-nag and the CDK CLI, loads each package, synthesizes app.js through the CDK CLI
// (cdk-nag AwsSolutions as a policy-validation plugin), and loads the tarballs the Python packages embed through
// the jsii runtime, as Python does.
// Run with `node --test test/consumer/` (scripts/run-tests.js does, after `lerna run ready`).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { JsiiRuntime } = require('./jsii-runtime');

const ROOT = path.join(__dirname, '..', '..');
const PUBLISHED = ['asff-parsers', 'scan-stage-construct', 'eks-deploy-construct', 'governance-construct'];
const JSII = ['governance-construct', 'eks-deploy-construct', 'scan-stage-construct']; // dependency order
const installedVersion = (name) => JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

/** A package's jsii assembly (.jsii, or the .jsii.gz it redirects to). */
function jsiiAssembly(dir) {
  const assembly = JSON.parse(fs.readFileSync(path.join(dir, '.jsii'), 'utf8'));
  if (assembly.schema !== 'jsii/file-redirect') return assembly;
  return JSON.parse(require('node:zlib').gunzipSync(fs.readFileSync(path.join(dir, assembly.filename))).toString('utf8'));
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options, env: { ...process.env, ...options.env } });
  if (result.status !== 0) {
    if (result.error) throw new Error(`${command} ${args.join(' ')} (in ${options.cwd ?? process.cwd()}): ${result.error.message}`);
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd ?? process.cwd()}) exited ${result.status}:\n${(result.stdout ?? '').slice(-4000)}\n${(result.stderr ?? '').slice(-4000)}`);
  }
  return result.stdout;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'factory-consumer-'));
const app = path.join(work, 'app');
const tarballs = {};
const manifests = {};

before(() => {
  for (const name of PUBLISHED) {
    const dir = path.join(ROOT, 'packages', name);
    fs.rmSync(path.join(dir, 'dist', 'js'), { recursive: true, force: true });
    // CI=true: the release path packs the npm tarball only (jsii-pacmak --target js).
    run('npx', ['projen', 'package'], { cwd: dir, env: { CI: 'true' } });
    const [tarball] = fs.readdirSync(path.join(dir, 'dist', 'js')).filter((f) => f.endsWith('.tgz'));
    tarballs[name] = path.join(work, `${name}.tgz`);
    fs.copyFileSync(path.join(dir, 'dist', 'js', tarball), tarballs[name]);
    manifests[name] = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  }
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
    name: 'consumer-app',
    private: true,
    dependencies: {
      'aws-cdk-lib': installedVersion('aws-cdk-lib'),
      'constructs': installedVersion('constructs'),
      'cdk-nag': installedVersion('cdk-nag'),
      'aws-cdk': installedVersion('aws-cdk'),
      ...Object.fromEntries(PUBLISHED.filter((n) => n !== 'asff-parsers').map((n) => [manifests[n].name, `file:${tarballs[n]}`])),
    },
  }, null, 2));
  // The same versions the workspace installed: npm's cache has them, the registry is the fallback.
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  fs.copyFileSync(path.join(__dirname, 'app.js'), path.join(app, 'app.js'));
});

// KEEP_CONSUMER_APP=1 keeps the throwaway app to look at (its path is printed).
after(() => (process.env.KEEP_CONSUMER_APP ? console.log(`consumer app kept in ${work}`) : fs.rmSync(work, { recursive: true, force: true })));

describe('the tarballs', () => {
  test('each construct library carries its bundled dependencies, as .jsii declares them', () => {
    for (const name of JSII) {
      const declared = manifests[name].bundledDependencies ?? [];
      const listing = execFileSync('tar', ['-tzf', tarballs[name]], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
      for (const dependency of declared) {
        assert.ok(listing.includes(`package/node_modules/${dependency}/package.json`), `${name}: ${dependency} is declared bundled but not in the tarball`);
      }
      const assembly = JSON.parse(execFileSync('tar', ['-xzOf', tarballs[name], 'package/.jsii'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
      assert.deepEqual(Object.keys(assembly.bundled ?? {}).sort(), [...declared].sort());
    }
  });

  test('`npm pack --json` in a package folder reports its bundled dependencies (prepack stages them, stdout stays JSON)', () => {
    for (const name of JSII) {
      const declared = manifests[name].bundledDependencies ?? [];
      if (declared.length === 0) continue;
      const [packed] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: path.join(ROOT, 'packages', name) }));
      assert.deepEqual([...packed.bundled].sort(), [...declared].sort(), name);
      assert.equal(fs.existsSync(path.join(ROOT, 'packages', name, 'node_modules', declared[0])), false, `${name}: postpack left the staged copies`);
    }
  });

  test('ship no repository-only scripts, tests or sources', () => {
    for (const name of PUBLISHED) {
      const own = execFileSync('tar', ['-tzf', tarballs[name]], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n')
        .filter((f) => f && !f.startsWith('package/node_modules/'));
      assert.deepEqual(own.filter((f) => /^package\/(scripts|test|src|bench)\//.test(f)), [], name);
    }
  });

  test('ship the third-party notices of the bundles they carry', () => {
    const listing = execFileSync('tar', ['-tzf', tarballs['scan-stage-construct']], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
    for (const file of ['findings-processor/index.js', 'findings-processor/THIRD-PARTY-NOTICES.txt', 'asff-cli/asff.js', 'asff-cli/THIRD-PARTY-NOTICES.txt']) {
      assert.ok(listing.includes(`package/assets/${file}`), file);
    }
  });
});

describe('installed in a CDK app outside the workspace', () => {
  test('every package loads with require()', () => {
    const names = PUBLISHED.filter((n) => n !== 'asff-parsers').map((n) => manifests[n].name);
    const out = run(process.execPath, ['-e', `for (const n of ${JSON.stringify(names)}) console.log(n, Object.keys(require(n)).length)`], { cwd: app });
    for (const name of names) assert.match(out, new RegExp(`^${name} \\d+$`, 'm'));
  });

  test('the asff CLI tarball installs on its own and runs (bin and bundle)', () => {
    const cli = path.join(work, 'cli');
    fs.mkdirSync(cli);
    fs.writeFileSync(path.join(cli, 'package.json'), '{"name":"cli-consumer","private":true}');
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarballs['asff-parsers']], { cwd: cli });
    const version = manifests['asff-parsers'].version;
    assert.equal(run(path.join(cli, 'node_modules', '.bin', 'asff'), ['--version'], { cwd: cli }), `${version}\n`);
    assert.equal(run(process.execPath, [path.join(cli, 'node_modules', '@devsecops-factory', 'asff-parsers', 'dist', 'cli', 'asff.js'), '--version']), `${version}\n`);
  });

  test('the asff-parsers library: its root and every subpath entry load and type-check (node10, node16, bundler)', () => {
    const project = path.join(work, 'library');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"library-consumer","private":true}');
    // The Lambda entry's types use aws-lambda's, as Powertools' do: a consumer of that entry installs them.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarballs['asff-parsers'],
      `@types/aws-lambda@${installedVersion('@types/aws-lambda')}`], { cwd: project });
    const name = manifests['asff-parsers'].name;
    const subpaths = Object.keys(manifests['asff-parsers'].exports).filter((k) => k !== '.' && k !== './package.json').map((k) => k.slice(2));
    assert.ok(subpaths.includes('ocsf') && subpaths.includes('importer'), subpaths.join(', '));
    const specifiers = [name, ...subpaths.map((subpath) => `${name}/${subpath}`)];
    const load = `console.log(JSON.stringify(${JSON.stringify(specifiers)}.map((s) => Object.keys(require(s)).length)))`;
    const counts = run(process.execPath, ['-e', load], { cwd: project });
    assert.ok(JSON.parse(counts).every((count) => count > 0), `${specifiers} export ${counts}`);
    const deep = spawnSync(process.execPath, ['-e', `require('${name}/lib/importer/request-retry')`], { cwd: project, encoding: 'utf8' });
    assert.match(deep.stderr, /ERR_PACKAGE_PATH_NOT_EXPORTED/, 'a module that is not an entry point is importable by path');

    // As a consumer compiles: node10 reads typesVersions, node16 and bundler read `exports`; no skipLibCheck, and only
    // the declarations installed in the project (the workspace's are out of reach).
    const ts = require(path.join(ROOT, 'node_modules', 'typescript'));
    fs.writeFileSync(path.join(project, 'consumer.ts'), [
      ...specifiers.map((specifier, index) => `import * as entry${index} from '${specifier}';`),
      `export const used = [${specifiers.map((_s, index) => `Object.keys(entry${index})`).join(', ')}];`,
      'export const converter: typeof entry0.convert = entry0.convert;',
      `export type Event = import('${name}/ocsf').OcsfEvent;`,
      `export type Bucket = import('${name}/importer').TokenBucket;`,
    ].join('\n'));
    for (const [label, resolution] of [
      ['node10', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
      ['node16', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
      ['bundler', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
    ]) {
      const typeRoots = [path.join(project, 'node_modules', '@types')];
      const options = { ...resolution, strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, typeRoots };
      const program = ts.createProgram([path.join(project, 'consumer.ts')], options);
      const errors = ts.getPreEmitDiagnostics(program)
        .map((d) => `${d.file ? path.relative(project, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
      assert.deepEqual(errors, [], label);
    }
  });

  test('the app using every main construct twice synthesizes through the CDK CLI, AwsSolutions-clean, with and without an env', () => {
    run('npx', ['cdk', 'synth', '--app', 'node app.js', '--quiet', '--no-notices', '--no-version-reporting'], { cwd: app });
    const out = path.join(app, 'cdk.out');
    for (const stack of ['EnvAgnostic', 'Commercial', 'GovCloud']) {
      const template = JSON.parse(fs.readFileSync(path.join(out, `${stack}.template.json`), 'utf8'));
      const types = Object.values(template.Resources).map((r) => r.Type);
      assert.equal(types.filter((t) => t === 'AWS::CodeBuild::Project').length, 14, stack); // 7 per factory, twice
      assert.equal(types.filter((t) => t === 'AWS::Lambda::Function').length >= 2, true, stack);
    }
    const govCloud = fs.readFileSync(path.join(out, 'GovCloud.template.json'), 'utf8');
    assert.doesNotMatch(govCloud, /arn:aws:/, 'a literal commercial-partition ARN in a GovCloud stack');
    // The CLI the scan stages download is in the assembly, with the sha256 they check.
    const assets = JSON.parse(fs.readFileSync(path.join(out, 'Commercial.assets.json'), 'utf8'));
    const files = Object.values(assets.files).map((f) => path.join(out, f.source.path));
    const sha = (file) => require('node:crypto').createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    const commercial = JSON.parse(fs.readFileSync(path.join(out, 'Commercial.template.json'), 'utf8'));
    const checked = new Set(Object.values(commercial.Resources).filter((r) => r.Type === 'AWS::CodeBuild::Project')
      .flatMap((r) => r.Properties.Environment.EnvironmentVariables ?? []).filter((v) => v.Name === 'ASFF_CLI_SHA256').map((v) => v.Value));
    assert.equal(checked.size, 1);
    assert.ok(files.some((f) => fs.statSync(f).isFile() && sha(f) === [...checked][0]), 'no asset file with the sha256 the builds check');
  });
});

/** The lowest version a caret range admits (the construct libraries' peer floors are all `^X.Y.Z`). */
function caretFloor(range) {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!match) throw new Error(`peer range ${range}: expected ^X.Y.Z, whose floor is X.Y.Z`);
  return match[1];
}

// The tests above install the workspace's (newest) aws-cdk-lib; a consumer may have any version the peer ranges
// admit, and aws-cdk-lib's validation API has changed under the constructs within those ranges (before 2.269.0
// `acknowledge` threw on cdk-nag's finding-scoped ids). So the same app also synthesizes at the declared floors.
describe('installed at the floors of the construct libraries\' peer dependencies', () => {
  test('the app using every main construct twice synthesizes, AwsSolutions-clean, with the lowest aws-cdk-lib and constructs', () => {
    const floors = {};
    for (const dependency of ['aws-cdk-lib', 'constructs']) {
      const declared = new Set(JSII.map((name) => manifests[name].peerDependencies[dependency]));
      // One app installs all three libraries: they must agree on the range, or the lowest floor admits none of them.
      assert.equal(declared.size, 1, `${dependency}: the construct libraries declare ${[...declared].join(', ')}`);
      floors[dependency] = caretFloor([...declared][0]);
    }
    const minimum = path.join(work, 'minimum');
    fs.mkdirSync(minimum);
    fs.writeFileSync(path.join(minimum, 'package.json'), JSON.stringify({
      name: 'consumer-app-at-floors',
      private: true,
      dependencies: {
        ...floors,
        // The cdk-nag the libraries are tested against: its own peer ranges must admit the floors too.
        'cdk-nag': installedVersion('cdk-nag'),
        ...Object.fromEntries(JSII.map((n) => [manifests[n].name, `file:${tarballs[n]}`])),
      },
    }, null, 2));
    // aws-cdk-lib at its floor is the one package here a fresh machine may not have cached. A stalled registry
    // fails this test in minutes rather than holding CI to its limit (npm's own default is 5 minutes per fetch).
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', '--fetch-timeout=60000', '--fetch-retries=2'],
      { cwd: minimum, timeout: 300_000 });
    const installed = (name) => JSON.parse(fs.readFileSync(path.join(minimum, 'node_modules', name, 'package.json'), 'utf8')).version;
    assert.deepEqual({ 'aws-cdk-lib': installed('aws-cdk-lib'), 'constructs': installed('constructs') }, floors);

    // The CDK CLI only runs the app: synthesizing in-process exercises the same aws-cdk-lib.
    const out = path.join(minimum, 'cdk.out');
    // A copy beside that node_modules: a module resolves its imports from where it lies, not from the cwd.
    fs.copyFileSync(path.join(__dirname, 'app.js'), path.join(minimum, 'app.js'));
    run(process.execPath, ['app.js'], { cwd: minimum, env: { CDK_OUTDIR: out } });
    for (const stack of ['EnvAgnostic', 'Commercial', 'GovCloud']) {
      const template = JSON.parse(fs.readFileSync(path.join(out, `${stack}.template.json`), 'utf8'));
      const count = (type) => Object.values(template.Resources).filter((r) => r.Type === type).length;
      // Per factory: 7 scan and EKS deploy projects, one findings processor, one governance trail; two factories.
      assert.equal(count('AWS::CodeBuild::Project'), 14, stack);
      assert.ok(count('AWS::Lambda::Function') >= 2, stack);
      assert.equal(count('AWS::CloudTrail::Trail'), 2, stack);
    }
  });
});

describe('the Python packages\' embedded tarballs, through the jsii runtime', () => {
  test('load after aws-cdk-lib and constructs, and run code that needs their bundled dependencies', async () => {
    const python = path.join(work, 'python');
    const embedded = {};
    for (const name of JSII) {
      run('npx', ['jsii-pacmak', '--code-only', '--targets', 'python', '--outdir', path.join(python, name), '--force'], { cwd: path.join(ROOT, 'packages', name) });
      const found = run('find', [path.join(python, name), '-name', '*.jsii.tgz']).trim().split('\n');
      assert.equal(found.length, 1, name);
      embedded[name] = found[0];
    }
    // The runtime the Python `jsii` package embeds, at jsii-pacmak's version.
    const runtimeVersion = installedVersion('jsii-pacmak');
    const deps = path.join(work, 'tarballs');
    fs.mkdirSync(deps);
    run('npm', ['pack', '--prefer-offline', '--loglevel=error', `@jsii/runtime@${runtimeVersion}`, `aws-cdk-lib@${installedVersion('aws-cdk-lib')}`, `constructs@${installedVersion('constructs')}`], { cwd: deps });
    const tgz = (prefix) => path.join(deps, fs.readdirSync(deps).find((f) => f.startsWith(prefix)));
    run('tar', ['-xzf', tgz('jsii-runtime-'), '-C', deps]);

    // As Python imports aws_cdk: its jsii dependencies' packages load first, each from its own tarball.
    const cdkDependencies = Object.keys(jsiiAssembly(path.join(ROOT, 'node_modules', 'aws-cdk-lib')).dependencies).filter((n) => n !== 'constructs');
    run('npm', ['pack', '--prefer-offline', '--loglevel=error', ...cdkDependencies.map((n) => `${n}@${installedVersion(n)}`)], { cwd: deps });

    const kernel = await JsiiRuntime.start(path.join(deps, 'package', 'webpack', 'bin', 'jsii-runtime.js'));
    try {
      await kernel.load('constructs', installedVersion('constructs'), tgz('constructs-'));
      for (const name of cdkDependencies) await kernel.load(name, installedVersion(name), tgz(`${name.replace('@', '').replace('/', '-')}-`));
      await kernel.load('aws-cdk-lib', installedVersion('aws-cdk-lib'), tgz('aws-cdk-lib-'));
      for (const name of JSII) {
        const loaded = await kernel.load(manifests[name].name, manifests[name].version, embedded[name]);
        assert.equal(loaded.assembly, manifests[name].name);
      }
      // cdk8s and cdk8s-plus (bundled by eks-deploy) render a workload inside the kernel.
      const manifestsRef = await kernel.sinvoke('@devsecops-factory/eks-deploy-construct.DeployManifests', 'fromWorkload', [{ name: 'shop', containerPort: 8080 }]);
      assert.match(manifestsRef['$jsii.byref'], /DeployManifests@/);
      // A stack with the findings processor, the secrets stage (yaml, bundled by scan-stage) and governance.
      const appRef = await kernel.create('aws-cdk-lib.App', []);
      const stackRef = await kernel.create('aws-cdk-lib.Stack', [appRef, 'FromPython']);
      const findings = await kernel.create('@devsecops-factory/scan-stage-construct.FindingsProcessor', [stackRef, 'Findings', {}]);
      const bucket = await kernel.get(findings, 'reportsBucket');
      const key = await kernel.get(findings, 'encryptionKey');
      const artifact = await kernel.create('aws-cdk-lib.aws_codepipeline.Artifact', ['Source']);
      await kernel.create('@devsecops-factory/scan-stage-construct.SecretsScanStage', [stackRef, 'Secrets', { input: artifact, reportsBucket: bucket, encryptionKey: key }]);
      await kernel.create('@devsecops-factory/governance-construct.AuditTrail', [stackRef, 'Trail', {}]);
      const assembly = await kernel.invoke(appRef, 'synth', []);
      const template = await kernel.invoke(assembly, 'getStackArtifact', ['FromPython']);
      const resources = await kernel.get(template, 'template');
      assert.ok(Object.values(resources.Resources).some((r) => r.Type === 'AWS::CodeBuild::Project'));
      assert.ok(Object.values(resources.Resources).some((r) => r.Type === 'AWS::CloudTrail::Trail'));
    } finally {
      kernel.close();
    }
  });
});
