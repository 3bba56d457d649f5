import * as fs from 'fs';
import { readBuildspec } from '../support/buildspec-files';
import {
  awsCalls,
  newStageWorkspace,
  recordedUploads,
  runPhase,
  scriptAwsResponses,
  StageWorkspace,
  storeS3Object,
  stubTool,
} from '../support/buildspec-runner';

/**
 * Runs the mirror job's build phase (buildspecs/mirror-databases.yml) with the real shell, jq, date, tar and
 * sha256sum; grype, trivy, freshclam and sigtool are stubs that write what the real tools write (Grype's cache
 * folder and status, Trivy's db/ and java-db/ with metadata.json, ClamAV's .cvd files and sigtool's header),
 * and `aws` is the recording stub.
 */
const spec = readBuildspec('mirror-databases.yml');
const MIRROR = 's3://factory-reports/mirror/';
const HOUR = 3600 * 1000;
const iso = (hoursAgo: number) => new Date(Date.now() - hoursAgo * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');

const workspaces: StageWorkspace[] = [];
afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));

function newWorkspace(options: { grypeFails?: boolean; clamavSignatureBad?: boolean } = {}): StageWorkspace {
  const workspace = newStageWorkspace({ stage: 'mirror', threshold: 'HIGH', build: { project: 'mirror', id: '9', number: 9 } });
  workspaces.push(workspace);
  const { bin, record } = workspace;
  const grypeUpdate = options.grypeFails
    ? 'echo "failed to download the listing" >&2; exit 1'
    : 'mkdir -p "$GRYPE_DB_CACHE_DIR/6" && echo db > "$GRYPE_DB_CACHE_DIR/6/vulnerability.db"';
  stubTool(bin, 'grype', `case "$1 $2" in
  "db update") ${grypeUpdate} ;;
  "db status") printf '{"schemaVersion":"v6.0.2","built":"${iso(7)}","path":"%s/6/vulnerability.db","valid":true}' "$GRYPE_DB_CACHE_DIR" ;;
  *) exit 2 ;;
esac`);
  stubTool(bin, 'trivy', `cache="$4"
case "$2" in
  --download-db-only) mkdir -p "$cache/db" && echo db > "$cache/db/trivy.db" &&
    printf '{"Version":2,"UpdatedAt":"${iso(3)}"}' > "$cache/db/metadata.json" ;;
  --download-java-db-only) mkdir -p "$cache/java-db" && echo db > "$cache/java-db/trivy-java.db" &&
    printf '{"Version":1,"UpdatedAt":"${iso(50)}"}' > "$cache/java-db/metadata.json" ;;
  *) exit 2 ;;
esac`);
  stubTool(bin, 'freshclam', `directory="$(sed -n 's/^DatabaseDirectory //p' "\${1#--config-file=}")"
for name in main daily bytecode; do echo "$name" > "$directory/$name.cvd"; done`);
  // sigtool --info <file>: ClamAV's header, with the build time ClamAV writes.
  const verification = options.clamavSignatureBad ? "'Verification FAILED.'" : "'Verification OK.'";
  const built = `"$(date -u -d '${iso(20)}' '+%d %b %Y %H:%M %z')"`;
  stubTool(bin, 'sigtool', `printf 'File: %s\\nBuild time: %s\\nVersion: 27837\\n%s\\n' "$2" ${built} ${verification}`);
  scriptAwsResponses(record, 'cloudwatch', 'put-metric-data', [{ stdout: '' }]);
  scriptAwsResponses(record, 's3', 'rm', [{ stdout: '' }]);
  return workspace;
}

function runJob(workspace: StageWorkspace) {
  return runPhase(spec, 'build', {
    cwd: workspace.source,
    env: { ...workspace.env, DB_MIRROR_URI: MIRROR, DB_MIRROR_METRIC_NAMESPACE: 'Factory/Mirror', CODEBUILD_BUILD_ID: 'mirror:9' },
  });
}

const manifests = (workspace: StageWorkspace) => recordedUploads(workspace.record)
  .filter((upload) => upload.destination.endsWith('/manifest.json'))
  .map((upload) => JSON.parse(upload.body));

describe('the mirror job', () => {
  test('publishes each database as an archive, then its manifest (archive, sha256, the publisher\'s build time), and reports its age', () => {
    const workspace = newWorkspace();

    const run = runJob(workspace);

    expect(run.output).not.toContain('not refreshed');
    expect(run.status).toBe(0);
    const destinations = recordedUploads(workspace.record).map((upload) => upload.destination.slice(MIRROR.length));
    expect(destinations).toEqual([
      expect.stringMatching(/^grype\/grype-\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/), 'grype/manifest.json',
      expect.stringMatching(/^trivy\/trivy-\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/), 'trivy/manifest.json',
      expect.stringMatching(/^trivy-java\/trivy-java-\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/), 'trivy-java/manifest.json',
      expect.stringMatching(/^clamav\/clamav-\d{8}T\d{6}Z-[0-9a-f]{12}\.tar\.gz$/), 'clamav/manifest.json',
    ]);
    const byDatabase = Object.fromEntries(manifests(workspace).map((manifest) => [manifest.database, manifest]));
    expect(byDatabase.grype).toEqual({
      database: 'grype',
      built: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      object: destinations[0],
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      mirrored: expect.any(String),
      previous: '',
      build: 'mirror:9',
    });
    expect(byDatabase.grype.object).toContain(byDatabase.grype.sha256.slice(0, 12));
    const hoursAgo = (built: string) => (Date.now() - Date.parse(built)) / HOUR;
    expect([hoursAgo(byDatabase.grype.built), hoursAgo(byDatabase['trivy-java'].built), hoursAgo(byDatabase.clamav.built)].map(Math.round))
      .toEqual([7, 50, 20]);
    const ages = awsCalls(workspace.record).filter((call) => call[0] === 'cloudwatch')
      .map((call) => [call[call.indexOf('--dimensions') + 1], Number(call[call.indexOf('--value') + 1])]);
    expect(ages).toEqual([['Database=grype', 7], ['Database=trivy', 3], ['Database=trivy-java', 50], ['Database=clamav', 20]]);
  });

  test('keeps the previous archive (a stage may be reading it) and deletes the one before it', () => {
    const workspace = newWorkspace();
    storeS3Object(workspace.record, `${MIRROR}grype/manifest.json`, JSON.stringify({
      database: 'grype',
      object: 'grype/grype-20261129T000000Z-bbbbbbbbbbbb.tar.gz',
      previous: 'grype/grype-20261128T000000Z-aaaaaaaaaaaa.tar.gz',
    }));

    const run = runJob(workspace);

    expect(run.status).toBe(0);
    const grype = manifests(workspace).find((manifest) => manifest.database === 'grype');
    expect(grype.previous).toBe('grype/grype-20261129T000000Z-bbbbbbbbbbbb.tar.gz');
    const removed = awsCalls(workspace.record).filter((call) => call[0] === 's3' && call[1] === 'rm');
    expect(removed).toEqual([['s3', 'rm', `${MIRROR}grype/grype-20261128T000000Z-aaaaaaaaaaaa.tar.gz`, '--only-show-errors']]);
  });

  test('a database that cannot be fetched keeps its previous copy, the others are refreshed, and the job fails naming it', () => {
    const workspace = newWorkspace({ grypeFails: true });

    const run = runJob(workspace);

    expect(run.status).toBe(1);
    expect(run.output).toContain('database mirror: not refreshed: grype');
    expect(manifests(workspace).map((manifest) => manifest.database)).toEqual(['trivy', 'trivy-java', 'clamav']);
  });

  test('ClamAV files whose signature does not verify are not published', () => {
    const workspace = newWorkspace({ clamavSignatureBad: true });

    const run = runJob(workspace);

    expect(run.status).toBe(1);
    expect(run.output).toContain('ClamAV\'s signature of bytecode.cvd does not verify');
    expect(manifests(workspace).map((manifest) => manifest.database)).not.toContain('clamav');
  });
});
