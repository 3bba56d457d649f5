import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

// The package's API as a consumer reaches it: by package name, through package.json `exports` (Node,
// TypeScript node16/bundler) or `typesVersions` (TypeScript node10). Runtime checks load the compiled lib/
// (`npx projen compile` first), as the CLI tests do.

const PACKAGE_DIR = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8'));
const NAME: string = manifest.name;

/**
 * The root export list. Adding a name here is an API decision (README "Public API",
 * docs/adr/0006-asff-parsers-public-api.md): prefer a subpath entry for what only some consumers need.
 */
const ROOT_VALUES = [
  'Baseline', 'FileDeadLetterSink', 'FindingTypes', 'MalformedInputError', 'MemoryDeadLetterSink', 'PARSERS', 'PolicyError',
  'ReportError', 'SecurityHubImporter', 'UsageError', 'applySuppressions', 'combinePolicies', 'convert', 'detectParser',
  'evaluateGate', 'fileSource', 'findParser', 'findingsOfScopes', 'formatScope', 'junitReport', 'loadPolicy', 'markdownReport',
  'memorySource', 'parsePolicy', 'readFindings', 'sarifReport', 'textSummary', 'toolIds', 'validateFinding',
];
const ROOT_TYPES = [
  'AgeCounts', 'ApplySuppressionsOptions', 'BaselineMatch', 'CombinedPolicy', 'Conversion', 'ConvertOptions', 'ConvertStats',
  'DeadLetter', 'DeadLetterSink', 'DraftResource', 'DraftSeverity', 'DraftVulnerability', 'EvaluateGateOptions', 'FindingAge',
  'FindingDraft', 'GateMode', 'GateResult', 'GateStatus', 'GatedFinding', 'ImportOutcome', 'ImportProgress', 'ImportRun',
  'ImportSummary', 'ParseContext', 'Parser', 'Partition', 'RejectedSuppression', 'ReportErrorKind', 'ReportHead', 'ReportSource',
  'RepositoryRules', 'ScanContext', 'ScopeParts', 'SecurityHubImporterOptions', 'SecurityPolicy', 'SeverityLabel', 'SeverityTable',
  'SlaLimit', 'SlaLimits', 'Suppression', 'SuppressionSummary', 'Threshold', 'ValidationIssue',
];

/** Helpers that were reachable from the root before the cut and are internal now: no entry point may offer them. */
const INTERNAL = [
  'startAttempt', 'recordRequestFailure', 'isTransient', 'pacedSend', 'grantOf', 'listFindings', 'classifyRequestError',
  'errorCodeOf', 'UpdateStamps', 'asProviderFinding', 'withScope', 'checkScope', 'bufferChunks', 'JsonElementScanner', 'oneLine',
  'checkScanContext', 'rankParsers', 'asRecord', 'asString', 'joinNonEmpty', 'disambiguatedId', 'enforceLimitsInPlace',
  'secretFingerprint', 'correlationKey', 'ageLabel', 'gateHeading', 'compileGlob', 'findSuppression', 'modeFor', 'thresholdFor',
  'severityRank', 'acceptRepositorySuppressions', 'combinationNotes', 'POLICY_NOTE_AUTHOR',
];

/** Subpath entries (package.json `exports`, less `.` and `./package.json`), e.g. `ocsf`. */
const SUBPATHS = Object.keys(manifest.exports).filter((key) => key !== '.' && key !== './package.json').map((key) => key.slice(2));

// eslint-disable-next-line no-bitwise -- TypeScript's symbol flags are a bit set.
const hasFlag = (flags: ts.SymbolFlags, flag: ts.SymbolFlags): boolean => (flags & flag) !== 0;

/** What each entry's names are, as TypeScript sees the source: values (functions, classes, constants) and types. */
function declaredExports(entry: string): { values: string[]; types: string[] } {
  const program = ts.createProgram([entry], { strict: true, noEmit: true, skipLibCheck: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const values: string[] = [];
  const types: string[] = [];
  for (const symbol of checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(entry)!)!)) {
    const target = hasFlag(symbol.flags, ts.SymbolFlags.Alias) ? checker.getAliasedSymbol(symbol) : symbol;
    (hasFlag(target.flags, ts.SymbolFlags.Value) ? values : types).push(symbol.name);
  }
  return { values: values.sort(), types: types.sort() };
}

/** The runtime export names of each entry point, loaded by package name in a plain Node process. */
function loadedExports(specifiers: readonly string[]): Record<string, string[]> {
  const script = `const out = {}; for (const s of ${JSON.stringify(specifiers)}) out[s] = Object.keys(require(s)).sort();
    console.log(JSON.stringify(out));`;
  const result = spawnSync(process.execPath, ['-e', script], { cwd: PACKAGE_DIR, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`loading the entry points failed (compile first?):\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

const sorted = (names: readonly string[]): string[] => [...names].sort();

describe('the root entry point', () => {
  test('exports exactly the supported API', () => {
    const declared = declaredExports(join(PACKAGE_DIR, 'src', 'index.ts'));
    expect(declared.values).toEqual(sorted(ROOT_VALUES));
    expect(declared.types).toEqual(sorted(ROOT_TYPES));
  });

  test('loads by package name with those values and no internal helper', () => {
    const root = loadedExports([NAME])[NAME];
    expect(root).toEqual(sorted(ROOT_VALUES));
    expect(root.filter((name) => INTERNAL.includes(name))).toEqual([]);
  });
});

describe('the subpath entries', () => {
  test('are the ones the README documents, and node10 TypeScript sees the same ones', () => {
    const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Public API'), readme.indexOf('\n## ', readme.indexOf('## Public API') + 1));
    const documented = [...section.matchAll(new RegExp(`\`${NAME}/([a-z-]+)\``, 'g'))].map((match) => match[1]);
    expect(sorted([...new Set(documented)])).toEqual(sorted(SUBPATHS));
    expect(sorted(Object.keys(manifest.typesVersions['*']))).toEqual(sorted(SUBPATHS));
  });

  test('each resolves by package name, loads, and offers no internal helper', () => {
    const loaded = loadedExports(SUBPATHS.map((subpath) => `${NAME}/${subpath}`));
    for (const subpath of SUBPATHS) {
      const names = loaded[`${NAME}/${subpath}`];
      expect(names.length).toBeGreaterThan(0);
      expect({ subpath, internal: names.filter((name) => INTERNAL.includes(name)) }).toEqual({ subpath, internal: [] });
    }
  });

  test('a module that is not an entry point cannot be imported by path', () => {
    const script = `try { require('${NAME}/lib/importer/request-retry'); } catch (e) { console.log(e.code); }`;
    const result = spawnSync(process.execPath, ['-e', script], { cwd: PACKAGE_DIR, encoding: 'utf8' });
    expect(result.stdout.trim()).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  // A consumer's tsconfig decides how `import ... from '<package>/<subpath>'` is resolved: `exports` with
  // node16/nodenext and bundler, `typesVersions` with node10 (the default for `module: commonjs`).
  test.each([
    ['node10', { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 }],
    ['node16', { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 }],
    ['bundler', { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler }],
  ])('each entry point type-checks with %s module resolution', (_, resolution) => {
    const file = join(PACKAGE_DIR, 'test', '__public_api_consumer.ts');
    const specifiers = [NAME, ...SUBPATHS.map((subpath) => `${NAME}/${subpath}`)];
    // One exported name each, used as a value or type, so a wrong or missing declaration file is an error.
    const text = [
      ...specifiers.map((specifier, index) => `import * as entry${index} from '${specifier}';`),
      `export const used = [${specifiers.map((_s, index) => `Object.keys(entry${index})`).join(', ')}];`,
      'export const converter: typeof entry0.convert = entry0.convert;',
      `export type Event = import('${NAME}/ocsf').OcsfEvent;`,
    ].join('\n');
    const options: ts.CompilerOptions = {
      ...resolution, strict: true, noEmit: true, skipLibCheck: true, types: ['node'], target: ts.ScriptTarget.ES2022,
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (name) => (name === file ? text : readFile(name));
    host.fileExists = (name) => name === file || fileExists(name);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, languageVersion) =>
      (name === file ? ts.createSourceFile(name, text, languageVersion) : getSourceFile(name, languageVersion));
    const program = ts.createProgram([file], options, host);
    const errors = ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
    for (const specifier of specifiers) {
      const resolved = ts.resolveModuleName(specifier, file, options, host).resolvedModule?.resolvedFileName ?? '';
      const inLib = resolved.startsWith(join(PACKAGE_DIR, 'lib') + '/') && resolved.endsWith('.d.ts');
      expect({ specifier, inLib }).toEqual({ specifier, inLib: true });
    }
  });
});
