import fc from 'fast-check';
import { buildFinding } from '../../src/asff/builder';
import { LIMITS, TRUNCATION_MARKER } from '../../src/asff/limits';
import { validateFinding } from '../../src/asff/validate';
import { SCAN } from '../support/convert-helpers';
import { draft } from '../support/drafts';

const TOOL = { id: 'prop', displayName: 'Property Scanner' };
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });

describe('limits', () => {
  test('limits are honoured by visible truncation, never by dropping the finding', () => {
    fc.assert(
      fc.property(
        text(600),
        fc.string({ maxLength: 3000 }),
        fc.string({ maxLength: 1200 }),
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 60 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ maxLength: 3000 }), { maxKeys: 70 }),
        fc.string({ maxLength: 100 }),
        (title, description, remediation, resourceIds, fields, original) => {
          const finding = buildFinding(
            draft({
              title: `T${title}`,
              description: `D${description}`,
              remediation: { text: remediation },
              resources: resourceIds.map((id) => ({ type: 'Other', id })),
              productFields: fields,
              severity: { label: 'LOW', original },
            }),
            TOOL,
            SCAN,
          );
          expect(validateFinding(finding)).toEqual([]);
          if (title.length + 1 > LIMITS.titleChars) expect(finding.Title!.endsWith(TRUNCATION_MARKER)).toBe(true);
          if (description.length + 1 > LIMITS.descriptionChars) expect(finding.Description!.endsWith(TRUNCATION_MARKER)).toBe(true);
          if (resourceIds.length > LIMITS.resources) {
            expect(finding.ProductFields?.ResourcesTruncated).toBe(`32 of ${resourceIds.length} resources shown`);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('a finding far over 240 KB is shrunk to fit and stays valid', () => {
    const huge = 'v'.repeat(200_000);
    const finding = buildFinding(
      draft({
        description: huge,
        resources: Array.from({ length: 40 }, (_, i) => ({ type: 'Other', id: `r${i}-${'x'.repeat(20_000)}` })),
        vulnerabilities: [{ id: 'CVE-2026-0001', referenceUrls: Array.from({ length: 5000 }, (_, i) => `https://example.test/${i}/${'p'.repeat(100)}`) }],
      }),
      TOOL,
      SCAN,
    );
    expect(validateFinding(finding)).toEqual([]);
    expect(Buffer.byteLength(JSON.stringify(finding))).toBeLessThanOrEqual(LIMITS.findingBytes);
  });
});
