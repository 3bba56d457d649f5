import { buildFinding } from '../../src/asff/builder';
import { CORRELATION_PRODUCT_FIELD, correlationKey, FINGERPRINT_PRODUCT_FIELD, fingerprintOf } from '../../src/asff/correlation';
import { validateFinding } from '../../src/asff/validate';
import { SCAN } from '../support/convert-helpers';
import { draft } from '../support/drafts';

const TOOL = { id: 'example', displayName: 'Example Scanner' };
const vulnerable = (id: string, related: string[], name: string, version = '1.0.0') => draft({
  ruleId: id,
  vulnerabilities: [{ id, relatedVulnerabilities: related, vulnerablePackages: [{ Name: name, Version: version }] }],
});

describe('fingerprint and correlation key', () => {
  test('the same issue on two branches has two Ids and one fingerprint', () => {
    const main = buildFinding(draft(), TOOL, SCAN);
    const feature = buildFinding(draft(), TOOL, { ...SCAN, branch: 'feature/login' });
    expect(main.Id).not.toBe(feature.Id);
    expect(fingerprintOf(main)).toBe(fingerprintOf(feature));
    expect(main.ProductFields?.[FINGERPRINT_PRODUCT_FIELD]).toMatch(/^example\/[0-9a-f]{40}$/);
    expect(fingerprintOf(buildFinding(draft({ locationKey: 'src/app.ts:11' }), TOOL, SCAN))).not.toBe(fingerprintOf(main));
  });

  test('a repeated Id keeps its occurrence suffix in the fingerprint', () => {
    const base = buildFinding(draft(), TOOL, SCAN);
    const second = buildFinding(draft(), TOOL, SCAN, { id: `${base.Id}-2` });
    expect(fingerprintOf(second)).toBe(`${fingerprintOf(base)}-2`);
  });

  test('a GHSA aliasing a CVE and the CVE itself, in one package, get one key whatever the case of the package name', () => {
    const ghsa = buildFinding(vulnerable('GHSA-aaaa-bbbb-cccc', ['CVE-2099-1'], 'LibFoo'), { id: 'a', displayName: 'A' }, SCAN);
    const cve = buildFinding(vulnerable('cve-2099-1', [], 'libfoo'), { id: 'b', displayName: 'B' }, SCAN);
    expect(ghsa.ProductFields?.[CORRELATION_PRODUCT_FIELD]).toBe(cve.ProductFields?.[CORRELATION_PRODUCT_FIELD]);
    expect(correlationKey(ghsa)).toBe(ghsa.ProductFields?.[CORRELATION_PRODUCT_FIELD]);
    expect(validateFinding(ghsa)).toEqual([]);
  });

  test.each([
    ['another version', vulnerable('CVE-2099-1', [], 'libfoo', '1.0.1')],
    ['another package', vulnerable('CVE-2099-1', [], 'libbar')],
    ['another vulnerability', vulnerable('CVE-2099-2', [], 'libfoo')],
  ])('%s is another key', (_, other) => {
    const key = (d: typeof other, scan = SCAN) => buildFinding(d, TOOL, scan).ProductFields?.[CORRELATION_PRODUCT_FIELD];
    expect(key(other)).not.toBe(key(vulnerable('CVE-2099-1', [], 'libfoo')));
  });

  test('another branch or image is another key; a finding without a vulnerability in a package has none', () => {
    const key = (scan = SCAN) => buildFinding(vulnerable('CVE-2099-1', [], 'libfoo'), TOOL, scan).ProductFields?.[CORRELATION_PRODUCT_FIELD];
    expect(key({ ...SCAN, branch: 'other' })).not.toBe(key());
    expect(key({ ...SCAN, image: 'registry.example.com/a:1' })).not.toBe(key({ ...SCAN, image: 'registry.example.com/b:1' }));
    expect(key({ ...SCAN, image: 'registry.example.com/a:1' })).toBe(key({ ...SCAN, image: 'registry.example.com/a:2' }));
    expect(buildFinding(draft(), TOOL, SCAN).ProductFields?.[CORRELATION_PRODUCT_FIELD]).toBeUndefined();
  });
});
