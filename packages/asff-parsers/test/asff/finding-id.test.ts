import fc from 'fast-check';
import { buildFinding } from '../../src/asff/builder';
import { SCAN } from '../support/convert-helpers';
import { draft } from '../support/drafts';

const TOOL = { id: 'prop', displayName: 'Property Scanner' };

describe('finding Ids', () => {
  test('Ids are stable: the same draft in another build has the same Id', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.date({ noInvalidDate: true }), (ruleId, locationKey, commit, now) => {
        const a = buildFinding(draft({ ruleId, locationKey }), TOOL, SCAN);
        const b = buildFinding(draft({ ruleId, locationKey, title: 'changed', description: 'changed' }), TOOL, {
          ...SCAN,
          commit,
          now,
          buildId: commit,
        });
        expect(b.Id).toBe(a.Id);
      }),
    );
  });

  test('Ids are unique: different (rule, location) pairs never share an Id', () => {
    fc.assert(
      fc.property(fc.uniqueArray(
        fc.tuple(fc.string(), fc.string()),
        { minLength: 2, maxLength: 40, selector: ([r, l]) => JSON.stringify([r, l]) },
      ), (pairs) => {
        const ids = pairs.map(([ruleId, locationKey]) => buildFinding(draft({ ruleId, locationKey }), TOOL, SCAN).Id);
        expect(new Set(ids).size).toBe(pairs.length);
      }),
    );
  });
});
