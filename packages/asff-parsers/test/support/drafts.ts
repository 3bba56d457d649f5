import type { FindingDraft } from '../../src/parsers/parser';

/** A valid draft with every required field; tests override what they examine. */
export function draft(overrides: Partial<FindingDraft> = {}): FindingDraft {
  return {
    ruleId: 'EX-1',
    locationKey: 'src/app.ts:10',
    title: 'Example problem',
    description: 'Something is wrong.',
    severity: { label: 'HIGH', original: 'high' },
    types: ['Software and Configuration Checks/Vulnerabilities/Code'],
    resources: [{ type: 'Other', id: 'example-repo/src/app.ts:10' }],
    ...overrides,
  };
}
