import { meetsThreshold, severityOf } from '../../src/policy/severity';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('severity', () => {
  test('meets the threshold at and above it, never with NONE', () => {
    expect(meetsThreshold('HIGH', 'HIGH')).toBe(true);
    expect(meetsThreshold('CRITICAL', 'HIGH')).toBe(true);
    expect(meetsThreshold('MEDIUM', 'HIGH')).toBe(false);
    expect(meetsThreshold('CRITICAL', 'NONE')).toBe(false);
  });

  test('falls back to the deprecated Normalized score, then to INFORMATIONAL', () => {
    expect(severityOf(sampleFinding('a', { Severity: { Normalized: 95 } }))).toBe('CRITICAL');
    expect(severityOf(sampleFinding('a', { Severity: { Normalized: 40 } }))).toBe('MEDIUM');
    expect(severityOf(sampleFinding('a', { Severity: { Normalized: 0 } }))).toBe('INFORMATIONAL');
    expect(severityOf(sampleFinding('a', { Severity: undefined, FindingProviderFields: { Severity: { Label: 'LOW' } } }))).toBe('LOW');
  });
});
