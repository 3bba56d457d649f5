/**
 * Generates docs/nist-800-53.md from the NIST SP 800-53 rev5 declarations of
 * every package (packages/<name>/nist-controls.json).
 *
 *   npx ts-node --transpile-only scripts/generate-nist-doc.ts          # write the document
 *   npx ts-node --transpile-only scripts/generate-nist-doc.ts --check  # exit 1 when it is out of date
 *
 * A declaration is a JSON file per package so that any package can declare its
 * controls without depending on this one, and without being compiled first:
 *
 *   { "components": [ { "name": "AuditTrail", "source": "src/audit-trail.ts",
 *       "controls": [ { "id": "AU-2", "rationale": "one line: how this component implements it" } ],
 *       "composes": ["OtherComponentOfThisPackage"] } ] }
 *
 * `source` must export `name` (class, function or const), so a declaration
 * cannot outlive the code it describes. `composes` (optional) names components
 * of the same package whose controls a composite inherits.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONTROL_TITLES, FAMILIES } from './nist-catalog';

export const DECLARATION_FILE = 'nist-controls.json';
export const DOCUMENT_PATH = path.join('docs', 'nist-800-53.md');
const GENERATOR_PATH = 'packages/governance-construct/scripts/generate-nist-doc.ts';
const MAX_RATIONALE = 200;

export interface ControlDeclaration {
  readonly id: string;
  readonly rationale: string;
}

export interface ComponentDeclaration {
  readonly name: string;
  readonly source: string;
  readonly controls: ControlDeclaration[];
  readonly composes: string[];
}

export interface PackageDeclaration {
  /** npm name of the package. */
  readonly packageName: string;
  /** Folder of the package relative to the repository root, with forward slashes. */
  readonly directory: string;
  readonly components: ComponentDeclaration[];
}

/** One or more declarations are invalid; `problems` lists each, prefixed with its file. */
export class DeclarationError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid NIST 800-53 declarations:\n  ${problems.join('\n  ')}`);
    this.name = 'DeclarationError';
  }
}

const CONTROL_ID = /^([A-Z]{2})-(\d{1,2})(?:\((\d{1,2})\))?$/;
const FAMILY_CODES = new Set(FAMILIES.map(([code]) => code));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function exportsName(sourceText: string, name: string): boolean {
  return new RegExp(`export\\s+(?:declare\\s+)?(?:abstract\\s+)?(?:async\\s+)?(?:class|function|const|let)\\s+${name}\\b`).test(sourceText);
}

/**
 * Check one package's declaration. `readSource` returns the text of a file of
 * that package (path relative to the package) or undefined when it does not
 * exist. Returns the components and every problem found.
 */
export function parseDeclaration(
  json: unknown,
  file: string,
  readSource: (relativePath: string) => string | undefined,
): { components: ComponentDeclaration[]; problems: string[] } {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${file}: ${where}${what}`);
  if (!isRecord(json) || !Array.isArray(json.components) || json.components.length === 0) {
    problem('', 'expected an object with a non-empty "components" array');
    return { components: [], problems };
  }
  const components: ComponentDeclaration[] = [];
  const names = new Set<string>();
  json.components.forEach((raw, index) => {
    const at = `components[${index}]`;
    if (!isRecord(raw) || typeof raw.name !== 'string' || !/^[A-Za-z_$][\w$]*$/.test(raw.name)) {
      problem(at, ': "name" must be the exported identifier of the component');
      return;
    }
    const where = `${raw.name}: `;
    if (names.has(raw.name)) {
      problem(where, 'declared twice');
    }
    names.add(raw.name);
    const source = typeof raw.source === 'string' ? raw.source : '';
    const sourceText = source ? readSource(source) : undefined;
    if (!source) {
      problem(where, '"source" must name the file that exports it');
    } else if (sourceText === undefined) {
      problem(where, `source ${source} does not exist`);
    } else if (!exportsName(sourceText, raw.name)) {
      problem(where, `source ${source} does not export ${raw.name}`);
    }
    const controls: ControlDeclaration[] = [];
    const seen = new Set<string>();
    const rawControls = Array.isArray(raw.controls) ? raw.controls : [];
    const composes = Array.isArray(raw.composes) ? raw.composes.filter((c): c is string => typeof c === 'string') : [];
    if (rawControls.length === 0 && composes.length === 0) {
      problem(where, 'declares no control and composes no component');
    }
    for (const control of rawControls) {
      if (!isRecord(control) || typeof control.id !== 'string') {
        problem(where, 'each control needs an "id" such as "AU-2" or "SI-4(5)"');
        continue;
      }
      const match = CONTROL_ID.exec(control.id);
      if (!match) {
        problem(where, `"${control.id}" is not a control id such as "AU-2" or "SI-4(5)"`);
        continue;
      }
      if (!FAMILY_CODES.has(match[1])) {
        problem(where, `"${control.id}": ${match[1]} is not a NIST 800-53 rev5 family`);
        continue;
      }
      if (seen.has(control.id)) {
        problem(where, `"${control.id}" declared twice`);
        continue;
      }
      seen.add(control.id);
      const rationale = typeof control.rationale === 'string' ? control.rationale.trim() : '';
      if (!rationale || /[\r\n|]/.test(rationale) || rationale.length > MAX_RATIONALE) {
        problem(where, `"${control.id}" needs a one-line rationale of at most ${MAX_RATIONALE} characters without "|"`);
        continue;
      }
      controls.push({ id: control.id, rationale });
    }
    components.push({ name: raw.name, source, controls, composes });
  });
  for (const component of components) {
    for (const composed of component.composes) {
      if (!names.has(composed) || composed === component.name) {
        problem(`${component.name}: `, `composes "${composed}", which is not another component of this package`);
      }
    }
  }
  return { components, problems };
}

/** Read and check the declarations of every package under `<root>/packages`. */
export function loadDeclarations(root: string): PackageDeclaration[] {
  const packagesDir = path.join(root, 'packages');
  const packages: PackageDeclaration[] = [];
  const problems: string[] = [];
  for (const entry of fs.readdirSync(packagesDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const packageDir = path.join(packagesDir, entry);
    const declarationFile = path.join(packageDir, DECLARATION_FILE);
    if (!fs.existsSync(declarationFile)) {
      continue;
    }
    const relativeFile = `packages/${entry}/${DECLARATION_FILE}`;
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(declarationFile, 'utf8'));
    } catch (error) {
      problems.push(`${relativeFile}: not valid JSON (${(error as Error).message})`);
      continue;
    }
    const readSource = (relative: string) => {
      const file = path.resolve(packageDir, relative);
      return file.startsWith(packageDir + path.sep) && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    };
    const parsed = parseDeclaration(json, relativeFile, readSource);
    problems.push(...parsed.problems);
    const packageName = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')).name as string;
    packages.push({ packageName, directory: `packages/${entry}`, components: parsed.components });
  }
  if (problems.length > 0) {
    throw new DeclarationError(problems);
  }
  return packages;
}

/** Orders controls as the publication does: family order, then number, base control before its enhancements. */
export function compareControls(a: string, b: string): number {
  const [, familyA, numberA, enhancementA] = CONTROL_ID.exec(a) ?? [];
  const [, familyB, numberB, enhancementB] = CONTROL_ID.exec(b) ?? [];
  const familyOrder = (code: string) => FAMILIES.findIndex(([c]) => c === code);
  return familyOrder(familyA) - familyOrder(familyB)
    || Number(numberA) - Number(numberB)
    || Number(enhancementA ?? -1) - Number(enhancementB ?? -1);
}

function titled(id: string): string {
  const title = CONTROL_TITLES[id];
  return title ? `${id} ${title}` : id;
}

function familyOf(id: string): string {
  return id.split('-')[0];
}

/** The Markdown document for these declarations; the same input always gives the same bytes. */
export function renderDocument(packages: PackageDeclaration[]): string {
  const rows: Array<{ id: string; component: string; packageName: string; rationale: string }> = [];
  for (const pkg of packages) {
    for (const component of pkg.components) {
      for (const control of component.controls) {
        rows.push({ id: control.id, component: component.name, packageName: pkg.packageName, rationale: control.rationale });
      }
    }
  }
  rows.sort((a, b) => compareControls(a.id, b.id) || a.packageName.localeCompare(b.packageName) || a.component.localeCompare(b.component));

  const lines: string[] = [
    '# NIST SP 800-53 rev5 control mapping',
    '',
    `<!-- Generated by ${GENERATOR_PATH} from packages/*/${DECLARATION_FILE}. Do not edit by hand. -->`,
    '',
    'Which NIST SP 800-53 revision 5 controls the DevSecOps Factory\'s components implement, and how. Each package',
    `declares its components' controls in \`${DECLARATION_FILE}\`; this page is generated from those declarations`,
    '(`npx ts-node --transpile-only scripts/generate-nist-doc.ts` in packages/governance-construct) and a test fails',
    'when it is out of date. A component implements a control only in part: the organization\'s own policies,',
    'procedures and account configuration complete it.',
    '',
    '## Families',
    '',
    '| Family | Controls | Components |',
    '| --- | --- | --- |',
  ];
  for (const [code, name] of FAMILIES) {
    const familyRows = rows.filter((row) => familyOf(row.id) === code);
    if (familyRows.length === 0) {
      continue;
    }
    const controls = [...new Set(familyRows.map((row) => row.id))];
    const components = [...new Set(familyRows.map((row) => row.component))].sort();
    lines.push(`| ${code} ${name} | ${controls.join(', ')} | ${components.join(', ')} |`);
  }

  lines.push('', '## Controls', '');
  for (const [code, name] of FAMILIES) {
    const familyRows = rows.filter((row) => familyOf(row.id) === code);
    if (familyRows.length === 0) {
      continue;
    }
    lines.push(`### ${code} ${name}`, '', '| Control | Component | Package | How |', '| --- | --- | --- | --- |');
    for (const row of familyRows) {
      lines.push(`| ${titled(row.id)} | ${row.component} | ${row.packageName} | ${row.rationale} |`);
    }
    lines.push('');
  }

  lines.push('## Components', '');
  for (const pkg of packages) {
    lines.push(`### ${pkg.packageName}`, '');
    for (const component of pkg.components) {
      const own = [...component.controls.map((control) => control.id)].sort(compareControls);
      const details: string[] = [];
      if (own.length > 0) {
        details.push(own.join(', '));
      }
      if (component.composes.length > 0) {
        details.push(`through ${component.composes.join(', ')}`);
      }
      lines.push(`- \`${component.name}\` (${pkg.directory}/${component.source}): ${details.join('; ')}`);
    }
    lines.push('');
  }
  return lines.join('\n').replace(/\n+$/, '\n');
}

/** The repository root, three levels above this script. */
export function repositoryRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

/** Where the command line writes its messages; a parameter so tests can capture them. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const PROCESS_OUTPUT: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * The command line: writes the document, or with `--check` only compares it.
 * Returns the exit code: 0 when written or up to date, 1 when out of date or
 * a declaration is invalid.
 */
export function main(argv: string[], root: string = repositoryRoot(), output: Output = PROCESS_OUTPUT): number {
  const target = path.join(root, DOCUMENT_PATH);
  let document: string;
  try {
    document = renderDocument(loadDeclarations(root));
  } catch (error) {
    output.err((error as Error).message);
    return 1;
  }
  if (argv.includes('--check')) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== document) {
      output.err(`${DOCUMENT_PATH} is out of date: run npx ts-node --transpile-only scripts/generate-nist-doc.ts in packages/governance-construct`);
      return 1;
    }
    output.out(`${DOCUMENT_PATH} is up to date`);
    return 0;
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, document);
  output.out(`wrote ${DOCUMENT_PATH}`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
