import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Parser } from '../src/parsers/parser';
import {
  type DocText,
  parseDocText,
  parserExportName,
  renderCountingUnitsTable,
  renderParserPage,
  renderRegistry,
  renderToolsTable,
  replaceGenerated,
} from '../src/parsers/parser-docs';

/**
 * Writes every file generated from the parsers' folders: the registry
 * (src/parsers/registry.generated.ts), docs/parsers/<tool>.md and the package
 * README's tools and counting units tables. `--check` writes nothing and
 * exits 1 naming the stale files. Run by `npx projen docs:parsers` and before
 * every compile.
 */

export const PACKAGE_DIR = join(__dirname, '..');
export const REPOSITORY_DIR = join(PACKAGE_DIR, '..', '..');
export const PARSERS_DIR = join(PACKAGE_DIR, 'src', 'parsers');
export const DOCS_DIR = join(REPOSITORY_DIR, 'docs', 'parsers');
const README = join(PACKAGE_DIR, 'README.md');

export interface GeneratedFile {
  readonly path: string;
  readonly content: string;
}

/** The folders of src/parsers/ holding a parser (an index.ts), in name order. */
export function parserFolders(): string[] {
  return readdirSync(PARSERS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(PARSERS_DIR, entry.name, 'index.ts')))
    .map((entry) => entry.name)
    .sort();
}

async function loadParser(folder: string): Promise<Parser> {
  const module = (await import(join(PARSERS_DIR, folder))) as Record<string, unknown>;
  const name = parserExportName(folder);
  const parser = module[name] as Parser | undefined;
  if (parser?.id !== folder) throw new Error(`src/parsers/${folder}/index.ts: must export ${name}, a parser whose id is '${folder}'`);
  return parser;
}

/**
 * A parser's doc text, or undefined while it has none: its page is then not
 * written (the registry and the README still are, so a new parser compiles
 * before its doc exists), and the docs test fails until it is.
 */
function readDoc(folder: string): DocText | undefined {
  const path = join(PARSERS_DIR, folder, 'doc.md');
  return existsSync(path) ? parseDocText(readFileSync(path, 'utf8'), `src/parsers/${folder}/doc.md`) : undefined;
}

/** Every generated file with the content it should have now. */
export async function generatedFiles(): Promise<GeneratedFile[]> {
  const folders = parserFolders();
  const parsers = await Promise.all(folders.map(loadParser));
  const docs = new Map(folders.map((folder) => [folder, readDoc(folder)]));
  const corpusCounts = new Map(folders.map((folder) => [folder, docs.get(folder)?.fields['corpus-counts'] ?? '']));
  let readme = readFileSync(README, 'utf8');
  readme = replaceGenerated(readme, 'tools', renderToolsTable(parsers), 'packages/asff-parsers/README.md');
  readme = replaceGenerated(readme, 'counting-units', renderCountingUnitsTable(parsers, corpusCounts), 'packages/asff-parsers/README.md');
  return [
    {
      path: join(PARSERS_DIR, 'registry.generated.ts'),
      content: renderRegistry(folders.map((folder) => ({ folder, exportName: parserExportName(folder) }))),
    },
    ...parsers.flatMap((parser) => {
      const doc = docs.get(parser.id);
      return doc === undefined ? [] : [{ path: join(DOCS_DIR, `${parser.id}.md`), content: renderParserPage(parser, doc) }];
    }),
    { path: README, content: readme },
  ];
}

/** The generated files whose content on disk differs, relative to the repository. */
export function staleFiles(files: readonly GeneratedFile[]): string[] {
  return files
    .filter((file) => !existsSync(file.path) || readFileSync(file.path, 'utf8') !== file.content)
    .map((file) => relative(REPOSITORY_DIR, file.path));
}

async function main(argv: readonly string[]): Promise<number> {
  const files = await generatedFiles();
  const stale = staleFiles(files);
  if (argv.includes('--check')) {
    if (stale.length > 0) process.stderr.write(`parser docs: stale, run \`npx projen docs:parsers\` in packages/asff-parsers: ${stale.join(', ')}\n`);
    return stale.length > 0 ? 1 : 0;
  }
  for (const file of files) if (stale.includes(relative(REPOSITORY_DIR, file.path))) writeFileSync(file.path, file.content);
  if (stale.length > 0) process.stdout.write(`parser docs: wrote ${stale.join(', ')}\n`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`parser docs: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
