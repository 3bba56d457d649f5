import { DEFAULT_FINDINGS_SLA } from '../../src/lambda/finding-metrics';
import { outputKeys, settingsFromEnvironment } from '../../src/lambda/settings';

describe('processor settings', () => {
  test('defaults to raw/, converted/, dead-letter/ and checkpoint/ with archiving on and a 120 s checkpoint margin', () => {
    expect(settingsFromEnvironment({})).toEqual({
      rawPrefix: 'raw/',
      convertedPrefix: 'converted/',
      deadLetterPrefix: 'dead-letter/',
      policiesPrefix: 'policies/',
      checkpointPrefix: 'checkpoint/',
      checkpointMarginSeconds: 120,
      maxSuppressionDays: 90,
      inSourceSuppressions: 'ignore',
      archiveMissing: true,
      kmsKeyId: undefined,
      findingsSla: DEFAULT_FINDINGS_SLA,
    });
    expect(settingsFromEnvironment({ ARCHIVE_MISSING: 'false' }).archiveMissing).toBe(false);
  });

  test('honours in-source suppressions in Security Hub only when IN_SOURCE_SUPPRESSIONS says honour', () => {
    expect(settingsFromEnvironment({ IN_SOURCE_SUPPRESSIONS: 'honour' }).inSourceSuppressions).toBe('honour');
    expect(settingsFromEnvironment({ IN_SOURCE_SUPPRESSIONS: 'ignore' }).inSourceSuppressions).toBe('ignore');
    expect(() => settingsFromEnvironment({ IN_SOURCE_SUPPRESSIONS: 'yes' })).toThrow(/IN_SOURCE_SUPPRESSIONS must be one of ignore, honour/);
  });

  test('reads the SLA of overdue findings from FINDINGS_SLA and refuses a malformed one', () => {
    expect(settingsFromEnvironment({ FINDINGS_SLA: 'CRITICAL=1d' }).findingsSla).toEqual({ CRITICAL: { text: '1d', ms: 86_400_000 } });
    expect(() => settingsFromEnvironment({ FINDINGS_SLA: 'CRITICAL=soon' })).toThrow(/FINDINGS_SLA/);
  });

  test('refuses prefixes that would let the function trigger itself', () => {
    expect(() => settingsFromEnvironment({ RAW_PREFIX: 'raw' })).toThrow(/must end with/);
    expect(() => settingsFromEnvironment({ CONVERTED_PREFIX: 'raw/converted/' })).toThrow(/must not contain one another/);
    // A checkpoint under raw/ would be taken for a report.
    expect(() => settingsFromEnvironment({ CHECKPOINT_PREFIX: 'raw/checkpoint/' })).toThrow(/must not contain one another/);
  });

  test('reads the checkpoint margin in whole seconds', () => {
    expect(settingsFromEnvironment({ CHECKPOINT_MARGIN_SECONDS: '300' }).checkpointMarginSeconds).toBe(300);
    expect(() => settingsFromEnvironment({ CHECKPOINT_MARGIN_SECONDS: '2m' })).toThrow(/CHECKPOINT_MARGIN_SECONDS must be a whole number of seconds/);
  });

  test('places the outputs next to the raw report under the other prefixes', () => {
    expect(outputKeys('raw/shop/build/7/grype.json', settingsFromEnvironment({}))).toEqual({
      converted: 'converted/shop/build/7/grype.json.asff.json',
      deadLetter: 'dead-letter/shop/build/7/grype.json.findings.ndjson',
      rejected: 'dead-letter/shop/build/7/grype.json.rejected.json',
      checkpoint: 'checkpoint/shop/build/7/grype.json.checkpoint.json',
      securityLakeUnwritable: 'dead-letter/shop/build/7/grype.json.ocsf-unwritable.ndjson',
      securityLakeFailed: 'dead-letter/shop/build/7/grype.json.security-lake/',
    });
  });
});
