import * as fs from 'fs';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';
import { newStageWorkspace, recordedUploads, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';

/**
 * Runs the canonical image-scan buildspec's build phase with bash, jq and the
 * real asff CLI; `docker`, `grype` and `aws` are stubs (no Docker engine here).
 */
const spec = expectedStageBuildspec('image-scan.yml');
const IMAGE_ID = 'sha256:4f2a9d0c7b1e8a6f5d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c';

function newWorkspace(): StageWorkspace {
  const workspace = newStageWorkspace({
    stage: 'image',
    threshold: 'HIGH',
    build: { project: 'image-scan', id: '77aa', number: 3, sourceVersion: 'fedcba9876543210fedcba9876543210fedcba98' },
  });
  const { bin, record } = workspace;
  fs.writeFileSync(path.join(workspace.source, 'Dockerfile'), 'FROM scratch\nCOPY app /app\n');
  stubTool(bin, 'docker', `printf '%s\\n' "$*" >> ${JSON.stringify(path.join(record, 'docker.log'))}
case "$1" in
  build) ;;
  save) printf 'image layers' > "$3" ;;
  image) echo "${IMAGE_ID}" ;;
  *) exit 2 ;;
esac`);
  stubTool(bin, 'grype', `[ "$1" = "docker-archive:image/image.tar" ] || exit 3
cat > "$5" <<'JSON'
{"matches":[{"vulnerability":{"id":"CVE-2099-0002","severity":"High","namespace":"debian:distro:debian:12","description":"Made-up flaw.","fix":{"versions":["1.2.4"],"state":"fixed"}},
"relatedVulnerabilities":[],"matchDetails":[],"artifact":{"name":"libexample","version":"1.2.3","type":"deb","locations":[{"path":"/var/lib/dpkg/status"}]}}],
"source":{"type":"image","target":{"userInput":"image/image.tar"}},"distro":{"name":"debian","version":"12"},"descriptor":{"name":"grype","version":"0.119.0"}}
JSON`);
  return workspace;
}

describe('image-scan buildspec, run with stubbed Docker and scanners', () => {
  const workspaces: StageWorkspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));
  const track = (w: StageWorkspace) => (workspaces.push(w), w);

  test('builds, saves and scans the image with Grype, exports its id and fails the gate on a high CVE', () => {
    const workspace = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
    const docker = fs.readFileSync(path.join(workspace.record, 'docker.log'), 'utf8').trim().split('\n');
    expect(docker.map((line) => line.split(' ')[0])).toEqual(['build', 'save', 'image']);
    expect(docker.join('\n')).not.toMatch(/push|:latest/);
    expect(run.env.IMAGE_ID).toBe(IMAGE_ID);
    expect(fs.readFileSync(path.join(workspace.source, 'image', 'image-id.txt'), 'utf8').trim()).toBe(IMAGE_ID);
    const report = recordedUploads(workspace.record).find((u) => u.destination.includes('/raw/'))!;
    expect(report.destination).toBe('s3://factory-reports/raw/factory/image/3/grype.json');
    expect(report.metadata?.tool).toBe('grype');
    const findings = JSON.parse(fs.readFileSync(path.join(workspace.source, 'reports', 'grype.asff.json'), 'utf8')).Findings;
    expect(findings.map((f: any) => f.Severity.Label)).toEqual(['HIGH']);
  });

  test('runs a custom scanner against the saved tarball and gates on its report', () => {
    const workspace = track(newWorkspace());
    const env = {
      ...workspace.env,
      SCANNER: 'custom',
      CUSTOM_SCANNER_RUN: 'test -s "$IMAGE_TARBALL" && printf \'{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"in-house"}},"results":[]}]}\' > reports/in-house.sarif',
      CUSTOM_SCANNER_REPORT: 'reports/in-house.sarif',
      CUSTOM_SCANNER_PARSER: 'sarif',
    };

    const run = runPhase(spec, 'build', { cwd: workspace.source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(recordedUploads(workspace.record).map((u) => [u.destination, u.metadata?.tool])).toEqual([
      ['s3://factory-reports/policies/factory/image/3/security-policy.yml', undefined],
      ['s3://factory-reports/raw/factory/image/3/in-house.sarif', 'sarif'],
    ]);
  });

  test('fails when a custom scanner writes no report, instead of passing an unscanned image', () => {
    const workspace = track(newWorkspace());
    const env = { ...workspace.env, SCANNER: 'custom', CUSTOM_SCANNER_RUN: 'true', CUSTOM_SCANNER_REPORT: 'reports/none.json', CUSTOM_SCANNER_PARSER: 'sarif' };

    const run = runPhase(spec, 'build', { cwd: workspace.source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
    expect(run.output).toContain('wrote no report');
    expect(recordedUploads(workspace.record)).toEqual([]);
  });
});
