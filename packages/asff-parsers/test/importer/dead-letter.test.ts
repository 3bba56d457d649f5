import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDeadLetterSink } from '../../src/importer/dead-letter';
import { sampleFinding } from '../support/fake-security-hub/sample-findings';

describe('FileDeadLetterSink', () => {
  test('writes one replayable JSON line per dead letter, readable by the owner only', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dl-')), 'dead.ndjson');
    const sink = new FileDeadLetterSink(path);
    await sink.write({ finding: sampleFinding('a'), errorCode: 'InvalidInput', errorMessage: 'Title', attempts: 1, possiblyImported: false });
    await sink.write({ finding: sampleFinding('b'), errorCode: 'InternalFailure', errorMessage: 'x', attempts: 10, possiblyImported: true });
    expect(await sink.close()).toBe(2);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.finding.Id, l.errorCode])).toEqual([['a', 'InvalidInput'], ['b', 'InternalFailure']]);
    // eslint-disable-next-line no-bitwise -- permission bits of a file mode
    expect(statSync(path).mode & 0o077).toBe(0);
  });

  test('creates no file when nothing failed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'dl-')), 'dead.ndjson');
    expect(await new FileDeadLetterSink(path).close()).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});
