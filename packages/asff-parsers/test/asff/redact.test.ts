import fc from 'fast-check';
import { buildFinding } from '../../src/asff/builder';
import { redactionFor } from '../../src/asff/redact';
import { SCAN } from '../support/convert-helpers';
import { draft } from '../support/drafts';

const TOOL = { id: 'prop', displayName: 'Property Scanner' };
const text = (max: number) => fc.string({ unit: 'grapheme', maxLength: max });

describe('secret redaction', () => {
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
