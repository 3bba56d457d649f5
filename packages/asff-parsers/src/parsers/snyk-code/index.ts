import { asRecord, asString } from '../json-values';
import type { Parser } from '../parser';
import { createSarifParser, looksLikeSarif } from '../sarif';

/** Snyk Code (`snyk code test --sarif`): SARIF 2.1.0 whose driver is SnykCode. */
export const snykCodeParser: Parser = createSarifParser({
  id: 'snyk-code',
  displayName: 'Snyk Code',
  formats: ['SARIF 2.1.0 (snyk code test --sarif)'],
  detect: (head) => (looksLikeSarif(head.text) && /"name"\s*:\s*"SnykCode"/.test(head.text) ? 0.95 : undefined),
  extraFields: (result): Record<string, string> => {
    const priority = asString(asRecord(result.properties).priorityScore);
    return priority !== undefined ? { PriorityScore: priority } : {};
  },
});
