import * as fs from 'fs';
import * as path from 'path';
import { Stack, StackProps } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import * as ts from 'typescript';

/**
 * Compiles the ```ts examples of a README against the package's own source,
 * as a user would paste them into a stack: `this` is a `Stack`.
 */

/** A ```ts block starting with this line is a deliberately partial fragment and is not compiled. */
export const FRAGMENT_MARKER = '// fragment';

export interface ReadmeExample {
  /** 1-based README line of the first code line. */
  readonly line: number;
  readonly lines: string[];
}

export function readmeExamples(readme: string): ReadmeExample[] {
  const examples: ReadmeExample[] = [];
  const lines = readme.split('\n');
  for (let index = 0; index < lines.length; index++) {
    if (lines[index].trim() !== '```ts') continue;
    const start = index + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== '```') end++;
    if (lines[start]?.trim() !== FRAGMENT_MARKER) examples.push({ line: start + 1, lines: lines.slice(start, end) });
    index = end;
  }
  return examples;
}

/** Every `#{Namespace.VARIABLE}` the examples use, with its README line. */
export function variableReferences(examples: ReadmeExample[]): Array<{ line: number; namespace: string; variable: string }> {
  return examples.flatMap((example) =>
    example.lines.flatMap((text, offset) =>
      [...text.matchAll(/#\{([A-Za-z0-9@\-_]+)\.([A-Za-z0-9@\-_]+)\}/g)].map((match) => ({
        line: example.line + offset,
        namespace: match[1],
        variable: match[2],
      })),
    ),
  );
}

/** The `exported-variables` of a buildspec file. */
export function exportedVariables(buildspecFile: string): string[] {
  const match = /exported-variables:\n((?:\s+- \S+\n)+)/.exec(fs.readFileSync(buildspecFile, 'utf8'));
  return match ? match[1].split('\n').map((line) => line.trim().replace(/^- /, '')).filter((name) => name.length > 0) : [];
}

export interface CompileOptions {
  /** The package folder (its `src/index.ts` stands for the package name). */
  readonly packageDir: string;
  readonly packageName: string;
  /** The examples build on one another: one stack with all of them, in order. */
  readonly cumulative?: boolean;
}

/** Type errors of the examples, each as `README.md:<line>: <message>`. */
export function compileErrors(examples: ReadmeExample[], options: CompileOptions): string[] {
  const groups = options.cumulative ? [examples] : examples.map((example) => [example]);
  const files = new Map<string, { text: string; readmeLines: number[] }>();
  groups.forEach((group, index) => files.set(path.join(options.packageDir, 'test', `__readme_example_${index}.ts`), wrap(group)));
  const compilerOptions: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    skipLibCheck: true,
    types: [],
    baseUrl: options.packageDir,
    paths: { [options.packageName]: ['src/index.ts'] },
  };
  const host = ts.createCompilerHost(compilerOptions);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const example = files.get(path.resolve(fileName));
    return example ? ts.createSourceFile(fileName, example.text, languageVersion) : getSourceFile(fileName, languageVersion, ...rest);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => files.has(path.resolve(fileName)) || fileExists(fileName);
  const program = ts.createProgram([...files.keys()], compilerOptions, host);
  return [...files.entries()].flatMap(([fileName, example]) => {
    const sourceFile = program.getSourceFile(fileName)!;
    return [...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile)].map((diagnostic) => {
      const line = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0).line;
      return `README.md:${example.readmeLines[line] ?? '?'}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
    });
  });
}

/**
 * Imports go to the top (merged, since examples that build on one another
 * import the same names), `declare` lines to module level, the rest into the
 * constructor of a `Stack`.
 */
function wrap(examples: ReadmeExample[], definitions?: Record<string, string>): { text: string; readmeLines: number[] } {
  const named = new Map<string, Set<string>>();
  const otherImports: Array<[string, number]> = [];
  const declarations: Array<[string, number]> = [];
  const body: Array<[string, number]> = [];
  for (const example of examples) {
    example.lines.forEach((text, offset) => {
      const line = example.line + offset;
      const namedImport = /^import \{([^}]*)\} from '([^']+)';$/.exec(text.trim());
      if (namedImport) {
        const names = named.get(namedImport[2]) ?? new Set<string>();
        namedImport[1].split(',').map((name) => name.trim()).filter((name) => name.length > 0).forEach((name) => names.add(name));
        named.set(namedImport[2], names);
      } else if (text.startsWith('import ')) {
        if (!otherImports.some(([existing]) => existing === text)) otherImports.push([text, line]);
      } else if (text.startsWith('declare ') && definitions !== undefined) {
        const name = /^declare const (\w+)/.exec(text)?.[1] ?? '';
        if (definitions[name] === undefined) throw new Error(`README.md:${line}: no definition given for ${name}`);
        declarations.push([`    ${definitions[name]}`, line]);
      } else if (text.startsWith('declare ')) {
        declarations.push([text, line]);
      } else {
        body.push([`    ${text}`, line]);
      }
    });
  }
  const lines: Array<[string, number | undefined]> = [
    ...[...named.entries()].map(([module, names]) => [`import { ${[...names].join(', ')} } from '${module}';`, undefined] as [string, undefined]),
    ...otherImports,
    ['import { Stack as ExampleStack, StackProps as ExampleStackProps } from \'aws-cdk-lib\';', undefined],
    ['import { Construct as ExampleScope } from \'constructs\';', undefined],
    ...(definitions === undefined ? declarations : []),
    ['export class Example extends ExampleStack {', undefined],
    ['  constructor(scope: ExampleScope, id: string, props?: ExampleStackProps) {', undefined],
    ['    super(scope, id, props);', undefined],
    ...(definitions === undefined ? [] : declarations),
    ...body,
    ['  }', undefined],
    ['}', undefined],
  ];
  return { text: lines.map(([text]) => text).join('\n'), readmeLines: lines.map(([, line]) => line as number) };
}

export interface ExampleStackOptions {
  /**
   * Loads a module the examples import. Pass the test's own `require` (mapping the package's name to its `src`),
   * so that the examples and the package share one copy of aws-cdk-lib.
   */
  readonly require: (id: string) => unknown;
  /** A statement defining each name the examples `declare`, run first in the stack's constructor. */
  readonly definitions: Record<string, string>;
  readonly stackProps?: StackProps;
}

/**
 * Runs the examples, in order, in one `Stack` under `scope`, as a user who pastes them into a stack would:
 * the stack to synthesize and run cdk-nag on.
 */
export function exampleStack(examples: ReadmeExample[], scope: IConstruct, id: string, options: ExampleStackOptions): Stack {
  const { text } = wrap(examples, options.definitions);
  const javascript = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const module = { exports: {} as { Example?: new (scope: IConstruct, id: string, props?: StackProps) => Stack } };
  new Function('require', 'exports', 'module', javascript)(options.require, module.exports, module);
  return new module.exports.Example!(scope, id, options.stackProps);
}
