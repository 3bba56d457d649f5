import { existsSync } from 'node:fs';
import { normalized, SNAPSHOT_DIR, snapshotFiles, synthesizeIntegApp } from './snapshot';

/**
 * CI verifies the committed integ-runner snapshot without deploying.
 *
 * integ-runner itself (2.197.10, the latest release) reads cloud assembly
 * schema <= 53 and aws-cdk-lib 2.276 writes 55, so the comparison integ-runner
 * would make runs here, on the same files and with the same asset-hash rule.
 * Re-record after an intended change with `npx projen integ:snapshot`.
 */
describe('integ snapshot of the reference factory', () => {
  const fresh = synthesizeIntegApp();

  test('is committed', () => {
    expect(existsSync(SNAPSHOT_DIR)).toBe(true);
    expect(snapshotFiles(SNAPSHOT_DIR)).toEqual(expect.arrayContaining(['integ.json', 'IntegDevSecOpsFactory.template.json']));
  });

  test('covers the same stacks as the integ test synthesizes now', () => {
    expect(snapshotFiles(fresh)).toEqual(snapshotFiles(SNAPSHOT_DIR));
  });

  test.each(snapshotFiles(fresh))('%s matches the committed snapshot', (file) => {
    expect(normalized(fresh, file)).toEqual(normalized(SNAPSHOT_DIR, file));
  });
});
