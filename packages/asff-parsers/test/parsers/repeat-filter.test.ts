import fc from 'fast-check';
import { RepeatFilter } from '../../src/parsers/repeat-filter';

describe('RepeatFilter', () => {
  test('lets each (rule, location) through once, whatever the order of repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string()), { maxLength: 200 }), (pairs) => {
        const filter = new RepeatFilter();
        const passed = pairs.filter(([ruleId, locationKey]) => filter.first({ ruleId, locationKey }));
        const distinct = new Set(pairs.map(([r, l]) => JSON.stringify([r, l])));
        expect(passed.length).toBe(distinct.size);
      }),
    );
  });

  test('does not confuse a rule/location split at a different place', () => {
    const filter = new RepeatFilter();
    expect(filter.first({ ruleId: 'ab', locationKey: 'c' })).toBe(true);
    expect(filter.first({ ruleId: 'a', locationKey: 'bc' })).toBe(true);
    expect(filter.first({ ruleId: 'ab', locationKey: 'c' })).toBe(false);
  });

  test('admit keeps the stable key first, refines only a clash, and drops a verbatim repeat', () => {
    const filter = new RepeatFilter();
    const draft = {
      ruleId: 'CVE-1',
      locationKey: 'pkg:npm/lodash@1',
      title: 't',
      description: 'd',
      severity: { label: 'LOW' as const, original: 'low' },
      types: [],
      resources: [],
    };
    expect(filter.admit(draft, ['/src/web/package-lock.json'])?.locationKey).toBe('pkg:npm/lodash@1');
    expect(filter.admit(draft, ['/src/admin/package-lock.json'])?.locationKey).toBe('pkg:npm/lodash@1|/src/admin/package-lock.json');
    expect(filter.admit(draft, ['/src/admin/package-lock.json'])).toBeUndefined();
    expect(filter.admit(draft, [undefined, ''])).toBeUndefined();
  });
});
