import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  compareControls, DeclarationError, DOCUMENT_PATH, loadDeclarations, main, PackageDeclaration, parseDeclaration, renderDocument, repositoryRoot,
} from '../../scripts/generate-nist-doc';

const SOURCE = 'export class AuditTrail extends Construct {}\nexport function helper() {}';
const readSource = (file: string) => (file === 'src/audit-trail.ts' ? SOURCE : undefined);

function declaration(components: unknown[]): unknown {
  return { components };
}

function problemsOf(json: unknown): string[] {
  return parseDeclaration(json, 'packages/x/nist-controls.json', readSource).problems;
}

describe('generate-nist-doc', () => {
  test('the committed docs/nist-800-53.md matches the declarations of every package', () => {
    const root = repositoryRoot();
    const committed = fs.readFileSync(path.join(root, DOCUMENT_PATH), 'utf8');
    const expected = renderDocument(loadDeclarations(root));
    // Out of date: run `npx ts-node --transpile-only scripts/generate-nist-doc.ts` in packages/governance-construct.
    expect(committed).toBe(expected);
  });

  test('accepts a well-formed declaration', () => {
    const parsed = parseDeclaration(
      declaration([
        {
          name: 'AuditTrail',
          source: 'src/audit-trail.ts',
          controls: [
            { id: 'AU-2', rationale: 'Logs every management event.' },
            { id: 'SI-4(5)', rationale: 'Alerts.' },
          ],
        },
      ]),
      'f',
      readSource,
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.components).toEqual([{
      name: 'AuditTrail',
      source: 'src/audit-trail.ts',
      composes: [],
      controls: [{ id: 'AU-2', rationale: 'Logs every management event.' }, { id: 'SI-4(5)', rationale: 'Alerts.' }],
    }]);
  });

  test.each([
    ['AU2', /"AU2" is not a control id/],
    ['AU-2(a)', /"AU-2\(a\)" is not a control id/],
    ['XX-1', /XX is not a NIST 800-53 rev5 family/],
  ])('rejects the control id %s', (id, message) => {
    expect(problemsOf(declaration([{ name: 'AuditTrail', source: 'src/audit-trail.ts', controls: [{ id, rationale: 'why' }] }])))
      .toEqual([expect.stringMatching(message)]);
  });

  test.each([
    ['missing', undefined],
    ['empty', '  '],
    ['multi-line', 'first line\nsecond line'],
    ['breaking the table', 'a | b'],
    ['too long', 'x'.repeat(201)],
  ])('rejects a %s rationale', (_case, rationale) => {
    expect(problemsOf(declaration([{ name: 'AuditTrail', source: 'src/audit-trail.ts', controls: [{ id: 'AU-2', rationale }] }])))
      .toEqual([expect.stringContaining('"AU-2" needs a one-line rationale')]);
  });

  test('rejects a component its source does not export, or whose source is missing', () => {
    expect(problemsOf(declaration([{ name: 'Renamed', source: 'src/audit-trail.ts', controls: [{ id: 'AU-2', rationale: 'x' }] }])))
      .toEqual(['packages/x/nist-controls.json: Renamed: source src/audit-trail.ts does not export Renamed']);
    expect(problemsOf(declaration([{ name: 'AuditTrail', source: 'src/gone.ts', controls: [{ id: 'AU-2', rationale: 'x' }] }])))
      .toEqual(['packages/x/nist-controls.json: AuditTrail: source src/gone.ts does not exist']);
  });

  test('rejects duplicates, empty components and composition of unknown components', () => {
    const problems = problemsOf(declaration([
      { name: 'AuditTrail', source: 'src/audit-trail.ts', controls: [{ id: 'AU-2', rationale: 'x' }, { id: 'AU-2', rationale: 'y' }] },
      { name: 'AuditTrail', source: 'src/audit-trail.ts', controls: [] },
      { name: 'helper', source: 'src/audit-trail.ts', composes: ['Nowhere'] },
    ]));
    expect(problems).toEqual([
      'packages/x/nist-controls.json: AuditTrail: "AU-2" declared twice',
      'packages/x/nist-controls.json: AuditTrail: declared twice',
      'packages/x/nist-controls.json: AuditTrail: declares no control and composes no component',
      'packages/x/nist-controls.json: helper: composes "Nowhere", which is not another component of this package',
    ]);
  });

  test('rejects a file without components', () => {
    expect(problemsOf({})).toEqual(['packages/x/nist-controls.json: expected an object with a non-empty "components" array']);
    expect(problemsOf({ components: [] })).toHaveLength(1);
  });

  test('orders controls by family, number and enhancement', () => {
    const ids = ['SI-4(5)', 'AC-6', 'AU-12', 'AU-9(3)', 'AU-2', 'SI-4', 'AU-9', 'CA-7', 'AC-6(9)', 'SC-28', 'SC-8'];
    expect([...ids].sort(compareControls)).toEqual([
      'AC-6',
      'AC-6(9)',
      'AU-2',
      'AU-9',
      'AU-9(3)',
      'AU-12',
      'CA-7',
      'SC-8',
      'SC-28',
      'SI-4',
      'SI-4(5)',
    ]);
  });

  describe('renderDocument', () => {
    const packages: PackageDeclaration[] = [
      {
        packageName: '@x/b',
        directory: 'packages/b',
        components: [
          {
            name: 'Zeta',
            source: 'src/zeta.ts',
            composes: [],
            controls: [
              { id: 'AU-12', rationale: 'Generates records.' },
              { id: 'AU-2', rationale: 'Logs events.' },
            ],
          },
        ],
      },
      {
        packageName: '@x/a',
        directory: 'packages/a',
        components: [
          { name: 'Alpha', source: 'src/alpha.ts', composes: [], controls: [{ id: 'AU-2', rationale: 'Also logs.' }] },
          { name: 'Whole', source: 'src/whole.ts', composes: ['Alpha'], controls: [] },
        ],
      },
    ];
    const document = renderDocument(packages);

    test('says it is generated and how to regenerate it', () => {
      expect(document).toContain('<!-- Generated by packages/governance-construct/scripts/generate-nist-doc.ts');
      expect(document).toContain('npx ts-node --transpile-only scripts/generate-nist-doc.ts');
    });

    test('summarises each family that has a control, and only those', () => {
      expect(document).toContain('| AU Audit and Accountability | AU-2, AU-12 | Alpha, Zeta |');
      expect(document).not.toContain('| AC Access Control');
    });

    test('lists each control with its title, component, package and rationale, in control order', () => {
      const au2a = document.indexOf('| AU-2 Event Logging | Alpha | @x/a | Also logs. |');
      const au2b = document.indexOf('| AU-2 Event Logging | Zeta | @x/b | Logs events. |');
      const au12 = document.indexOf('| AU-12 Audit Record Generation | Zeta | @x/b | Generates records. |');
      expect(au2a).toBeGreaterThan(0);
      expect(au2b).toBeGreaterThan(au2a);
      expect(au12).toBeGreaterThan(au2b);
    });

    test('shows what a composite inherits', () => {
      expect(document).toContain('- `Whole` (packages/a/src/whole.ts): through Alpha');
      expect(document).toContain('- `Zeta` (packages/b/src/zeta.ts): AU-2, AU-12');
    });

    test('is deterministic and ends with one newline', () => {
      expect(renderDocument(packages)).toBe(document);
      expect(document.endsWith('\n')).toBe(true);
      expect(document.endsWith('\n\n')).toBe(false);
    });
  });

  test('reports every invalid declaration of the repository at once', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nist-'));
    try {
      for (const [name, json] of [['one', '{"components": []}'], ['two', 'not json']]) {
        fs.mkdirSync(path.join(root, 'packages', name), { recursive: true });
        fs.writeFileSync(path.join(root, 'packages', name, 'package.json'), JSON.stringify({ name: `@x/${name}` }));
        fs.writeFileSync(path.join(root, 'packages', name, 'nist-controls.json'), json);
      }
      fs.mkdirSync(path.join(root, 'packages', 'undeclared'));
      expect(() => loadDeclarations(root)).toThrow(DeclarationError);
      try {
        loadDeclarations(root);
      } catch (error) {
        expect((error as DeclarationError).problems).toEqual([
          'packages/one/nist-controls.json: expected an object with a non-empty "components" array',
          expect.stringMatching(/^packages\/two\/nist-controls.json: not valid JSON/),
        ]);
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  describe('command line', () => {
    let root: string;
    const messages: string[] = [];
    const output = { out: (line: string) => messages.push(`out: ${line}`), err: (line: string) => messages.push(`err: ${line}`) };

    beforeEach(() => {
      messages.length = 0;
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'nist-cli-'));
      const packageDir = path.join(root, 'packages', 'p');
      fs.mkdirSync(path.join(packageDir, 'src'), { recursive: true });
      fs.writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ name: '@x/p' }));
      fs.writeFileSync(path.join(packageDir, 'src', 'thing.ts'), 'export class Thing {}');
      fs.writeFileSync(path.join(packageDir, 'nist-controls.json'), JSON.stringify(declaration([
        { name: 'Thing', source: 'src/thing.ts', controls: [{ id: 'SI-4', rationale: 'Watches.' }] },
      ])));
    });

    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    test('writes the document, then --check finds it up to date', () => {
      expect(main([], root, output)).toBe(0);
      expect(fs.readFileSync(path.join(root, DOCUMENT_PATH), 'utf8')).toContain('| SI-4 System Monitoring | Thing | @x/p | Watches. |');
      expect(main(['--check'], root, output)).toBe(0);
      expect(messages).toEqual([`out: wrote ${DOCUMENT_PATH}`, `out: ${DOCUMENT_PATH} is up to date`]);
    });

    test('--check fails without touching a stale document', () => {
      fs.mkdirSync(path.join(root, 'docs'));
      fs.writeFileSync(path.join(root, DOCUMENT_PATH), 'stale\n');
      expect(main(['--check'], root, output)).toBe(1);
      expect(fs.readFileSync(path.join(root, DOCUMENT_PATH), 'utf8')).toBe('stale\n');
      expect(messages).toEqual([expect.stringMatching(/^err: docs\/nist-800-53.md is out of date: run npx ts-node/)]);
    });

    test('fails and writes nothing when a declaration is invalid', () => {
      fs.rmSync(path.join(root, 'packages', 'p', 'src', 'thing.ts'));
      expect(main([], root, output)).toBe(1);
      expect(fs.existsSync(path.join(root, DOCUMENT_PATH))).toBe(false);
      expect(messages).toEqual([expect.stringContaining('Thing: source src/thing.ts does not exist')]);
    });
  });
});
