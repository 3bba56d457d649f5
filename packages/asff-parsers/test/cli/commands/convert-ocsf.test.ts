import { validateOcsf } from '../../../src/ocsf';
import { fixture } from '../../support/convert-helpers';
import { ACCOUNT_ARGS, runCli } from '../../support/run-cli';

describe('asff convert --format ocsf', () => {
  test('writes one OCSF 1.1.0 event per line, each one the schema accepts, for Security Lake and OCSF tools', () => {
    const result = runCli(['convert', '--tool', 'grype', '--input', fixture('grype', 'two-matches.json'), ...ACCOUNT_ARGS, '--format', 'ocsf']);
    expect(result.status).toBe(0);
    const events = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(events.map((e) => [e.class_uid, e.finding_info.analytic.uid])).toEqual([
      [2002, 'grype/CVE-2023-1000'],
      [2002, 'grype/GHSA-abcd-efgh-ijkl'],
    ]);
    expect(events.flatMap((e) => validateOcsf(e))).toEqual([]);
  });
});
