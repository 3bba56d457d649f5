import { acknowledgementsIn, nagViolations, violationsWithout } from '@devsecops-factory/test-kit';
import { buildWholeFactory } from './support/whole-factory';

describe('cdk-nag packs (AwsSolutions, NIST 800-53 rev5)', () => {
  test.each([
    ['without an alarm topic', false, false],
    ['with an alarm topic', true, false],
    ['writing to Security Lake', true, true],
  ])('find no violation in the whole factory %s', (_name, alarmTopic, securityLake) => {
    expect(nagViolations(buildWholeFactory({ alarmTopic, securityLake }))).toEqual([]);
  });

  const acknowledgements = acknowledgementsIn(buildWholeFactory());

  test('every acknowledgement gives a specific reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const ack of acknowledgements) {
      expect(ack.reason.length).toBeGreaterThan(40);
    }
  });

  test.each(acknowledgements.map((ack) => [`${ack.id} on ${ack.path}`, ack] as const))(
    'acknowledgement %s is needed: without it the violation returns', (_name, ack) => {
      const violations = violationsWithout(buildWholeFactory(), ack);
      expect(violations).toContainEqual({ rule: ack.id, path: expect.stringMatching(new RegExp(`^${escape(ack.path)}(/|$)`)) });
    });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
