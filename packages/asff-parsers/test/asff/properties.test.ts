import fc from 'fast-check';
import { buildFinding } from '../../src/asff/builder';
import { LIMITS, TRUNCATION_MARKER } from '../../src/asff/limits';
import { redactionFor } from '../../src/asff/redact';
import { validateFinding } from '../../src/asff/validate';
import { convert } from '../../src/convert';
import type { FindingDraft, Parser } from '../../src/parsers/parser';
import { collect, SCAN } from '../support/convert-helpers';
import { draft } from './builder.test';

const TOOL = { id: 'prop', displayName: 'Property Scanner' };
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });

/** A parser that yields the given drafts, to drive `convert` end to end. */
function parserOf(drafts: readonly FindingDraft[]): Parser {
  return {
    id: 'prop',
    displayName: 'Property Scanner',
    countingUnit: 'test',
    formats: [],
    severityTable: {},
    detect: () => undefined,
    async *parse(source) {
      for await (const chunk of source) void chunk;
      yield* drafts;
    },
  };
}

describe('finding properties', () => {
  test('Ids are stable: the same draft in another build has the same Id', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.date({ noInvalidDate: true }), (ruleId, locationKey, commit, now) => {
        const a = buildFinding(draft({ ruleId, locationKey }), TOOL, SCAN);
        const b = buildFinding(draft({ ruleId, locationKey, title: 'changed', description: 'changed' }), TOOL, { ...SCAN, commit, now, buildId: commit });
        expect(b.Id).toBe(a.Id);
      }),
    );
  });

  test('Ids are unique: different (rule, location) pairs never share an Id', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string(), fc.string()), { minLength: 2, maxLength: 40, selector: ([r, l]) => JSON.stringify([r, l]) }), (pairs) => {
        const ids = pairs.map(([ruleId, locationKey]) => buildFinding(draft({ ruleId, locationKey }), TOOL, SCAN).Id);
        expect(new Set(ids).size).toBe(pairs.length);
      }),
    );
  });

  test('one report never yields two findings with one Id, even when drafts repeat', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('R1', 'R2'), fc.constantFrom('a', 'b', 'c')), { maxLength: 30 }), async (pairs) => {
        const drafts = pairs.map(([ruleId, locationKey]) => draft({ ruleId, locationKey }));
        const conversion = convert({ tool: 'prop', input: [Buffer.from('x')] as unknown as AsyncIterable<Buffer>, context: SCAN, parsers: [parserOf(drafts)] });
        const findings = await collect(conversion);
        expect(new Set(findings.map((f) => f.Id)).size).toBe(findings.length);
        expect(conversion.stats.repeatedIds).toBe(pairs.length - new Set(pairs.map((p) => p.join('|'))).size);
      }),
      { numRuns: 50 },
    );
  });

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
          if (resourceIds.length > LIMITS.resources) expect(finding.ProductFields?.ResourcesTruncated).toBe(`32 of ${resourceIds.length} resources shown`);
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

  test('secrets never survive anywhere in the finding, and are replaced by their fingerprint', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8, maxLength: 60 }).filter((s) => s.trim().length >= 8), text(100), text(100), (secret, before, after) => {
        const finding = buildFinding(
          draft({
            title: `${before}${secret}${after}`,
            description: `leaked: ${secret}`,
            resources: [{ type: 'Other', id: `file-${secret}`, details: { Other: { [secret]: secret } } }],
            productFields: { Match: secret },
            remediation: { text: `rotate ${secret}` },
            secrets: [secret],
          }),
          TOOL,
          SCAN,
        );
        const serialised = JSON.stringify(finding);
        expect(serialised).not.toContain(JSON.stringify(secret).slice(1, -1));
        expect(finding.Description).toBe(`leaked: ${redactionFor(secret)}`);
      }),
      { numRuns: 150 },
    );
  });
});
