import { checkScope, formatScope, SCOPE_PRODUCT_FIELD, scopeOf, withScope } from '../../src/importer/scope';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('scope', () => {
  test('formats repository, branch, stage and tool into one value', () => {
    expect(formatScope({ repository: 'shop/web', branch: 'main', stage: 'build', tool: 'grype' })).toBe('shop/web@main#build/grype');
  });

  test('refuses empty parts and values longer than a ProductFields value', () => {
    expect(() => formatScope({ repository: 'r', branch: ' ', stage: 's', tool: 't' })).toThrow(/branch/);
    expect(() => checkScope('x'.repeat(2049))).toThrow(/2048/);
  });

  test('records the scope in ProductFields and keeps the other fields', () => {
    const finding = withScope(sampleFinding('a', { ProductFields: { rule: 'R1' } }), 's1');
    expect(finding.ProductFields).toEqual({ rule: 'R1', [SCOPE_PRODUCT_FIELD]: 's1' });
    expect(scopeOf(finding)).toBe('s1');
  });

  test('makes room for the scope in a finding that already holds 50 ProductFields', () => {
    const fields = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    const finding = withScope(sampleFinding('a', { ProductFields: fields }), 's1');
    expect(Object.keys(finding.ProductFields!)).toHaveLength(50);
    expect(scopeOf(finding)).toBe('s1');
    expect(finding.ProductFields!.k0).toBe('v');
  });
});
