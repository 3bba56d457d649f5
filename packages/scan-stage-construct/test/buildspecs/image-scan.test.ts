import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { expectedStageBuildspec } from '../support/buildspec-files';
import { newStageWorkspace, recordedUploads, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';

/**
 * Runs the canonical image-scan buildspec's build phase with bash, jq, tar, the
 * real clamscan and the real asff CLI; `docker`, `grype`, `trivy` and `aws` are
 * stubs (no Docker engine here). The docker stub saves a real `docker save`
 * tarball (manifest.json and one layer per folder) so the malware scan extracts
 * and scans real files.
 */
const spec = expectedStageBuildspec('image-scan.yml');
const IMAGE_ID = 'sha256:4f2a9d0c7b1e8a6f5d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c';

/**
 * The EICAR anti-malware test file, assembled at run time so that no file of the repository holds it (a
 * scanner on a developer's machine would quarantine the test file otherwise).
 */
const EICAR = ['X5O!P%@AP[4\\PZX54(P^)7CC)7}$', 'EICAR', '-STANDARD-ANTIVIRUS-', 'TEST-FILE!$H+H*'].join('');

const SBOM = JSON.stringify({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  components: [
    { type: 'library', name: 'libexample', version: '1.2.3', purl: 'pkg:deb/debian/libexample@1.2.3', licenses: [{ license: { id: 'MIT' } }] },
    { type: 'library', name: 'pdf-render', version: '4.0.1', purl: 'pkg:npm/pdf-render@4.0.1', licenses: [{ license: { id: 'AGPL-3.0-only' } }] },
    // A choice of licences: acceptable as long as one of them is.
    { type: 'library', name: 'saslprep', version: '1.1.9', purl: 'pkg:npm/saslprep@1.1.9', licenses: [{ expression: 'MIT OR AGPL-3.0-only' }] },
  ],
});

interface ImageWorkspace extends StageWorkspace {
  /** Folders, one per extra image layer, the docker stub saves after the base layer. */
  readonly layers: string;
}

function newWorkspace(): ImageWorkspace {
  const workspace = newStageWorkspace({
    stage: 'image',
    threshold: 'HIGH',
    build: { project: 'image-scan', id: '77aa', number: 3, sourceVersion: 'fedcba9876543210fedcba9876543210fedcba98' },
  });
  const { root, bin, record } = workspace;
  const layers = path.join(root, 'layers');
  fs.mkdirSync(path.join(layers, '1-base', 'app'), { recursive: true });
  fs.writeFileSync(path.join(layers, '1-base', 'app', 'server.js'), 'console.log("hello");\n');
  fs.writeFileSync(path.join(workspace.source, 'Dockerfile'), 'FROM scratch\nCOPY app /app\n');
  stubTool(bin, 'docker', `printf '%s\\n' "$*" >> ${JSON.stringify(path.join(record, 'docker.log'))}
case "$1" in
  build) ;;
  save)
    out="$(mktemp -d)"
    entries=(manifest.json)
    list=""
    for layer in ${JSON.stringify(layers)}/*/; do
      name="$(basename "$layer")"
      mkdir -p "$out/$name"
      tar -cf "$out/$name/layer.tar" -C "$layer" .
      entries+=("$name")
      list="$list\${list:+,}\\"$name/layer.tar\\""
    done
    printf '[{"Config":"config.json","RepoTags":["scan-target:3"],"Layers":[%s]}]' "$list" > "$out/manifest.json"
    tar -cf "$3" -C "$out" "\${entries[@]}"
    ;;
  image) echo "${IMAGE_ID}" ;;
  *) exit 2 ;;
esac`);
  stubTool(bin, 'grype', `[ "$1" = "docker-archive:image/image.tar" ] || exit 3
cat > "$5" <<'JSON'
{"matches":[{"vulnerability":{"id":"CVE-2099-0002","severity":"High","namespace":"debian:distro:debian:12","description":"Made-up flaw.",
"fix":{"versions":["1.2.4"],"state":"fixed"}},
"relatedVulnerabilities":[],"matchDetails":[],
"artifact":{"name":"libexample","version":"1.2.3","type":"deb","locations":[{"path":"/var/lib/dpkg/status"}]}}],
"source":{"type":"image","target":{"userInput":"image/image.tar"}},"distro":{"name":"debian","version":"12"},
"descriptor":{"name":"grype","version":"0.119.0"}}
JSON`);
  // trivy image --input <tarball> --format <format> --output <file> --timeout <t>: records its arguments, writes the SBOM.
  stubTool(bin, 'trivy', `printf '%s\\n' "$*" >> ${JSON.stringify(path.join(record, 'trivy.log'))}
[ "$1" = image ] && [ "$2" = --input ] && [ -s "$3" ] || exit 3
printf '%s' ${JSON.stringify(SBOM)} > "$7"`);
  // A signature database of one hash signature, the EICAR file's: no freshclam download in a test.
  const database = path.join(root, 'clamav-db');
  fs.mkdirSync(database);
  fs.writeFileSync(path.join(database, 'factory-test.hdb'), `${createHash('md5').update(EICAR).digest('hex')}:${EICAR.length}:Factory.Test.Eicar\n`);
  return { ...workspace, layers, env: { ...workspace.env, CLAMAV_DATABASE_DIR: database } };
}

/** Adds a layer holding the EICAR test file, as an image that ships malware would. */
function plantEicar(workspace: ImageWorkspace, file: string): void {
  const target = path.join(workspace.layers, '2-app', file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, EICAR);
}

describe('image-scan buildspec, run with stubbed Docker and scanners', () => {
  const workspaces: StageWorkspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));
  const track = (w: ImageWorkspace) => (workspaces.push(w), w);

  test('builds, saves and scans the image with Grype, exports its id and fails the gate on a high CVE', () => {
    const workspace = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, MALWARE_SCAN: 'false' } });

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
    // A failed gate leaves no record of a passed one for the provenance.
    expect(fs.existsSync(path.join(workspace.source, 'image', 'gates.json'))).toBe(false);
  });

  test('writes a CycloneDX SBOM of the tarball and uploads it under the image id, also when the gate then fails', () => {
    const workspace = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, MALWARE_SCAN: 'false' } });

    expect(run.status).toBe(1);
    const trivy = fs.readFileSync(path.join(workspace.record, 'trivy.log'), 'utf8').trim();
    expect(trivy).toMatch(/^image --input image\/image\.tar --format cyclonedx --output image\/sbom\.json --timeout \d+m$/);
    const sbom = recordedUploads(workspace.record).find((u) => u.destination.includes('/sbom/'))!;
    expect(sbom.destination).toBe(`s3://factory-reports/sbom/factory/${IMAGE_ID.replace(':', '-')}.cdx.json`);
    expect(sbom.body).toBe(SBOM);
    expect(sbom.metadata).toEqual({
      'image-id': IMAGE_ID,
      'sbom-format': 'cyclonedx',
      'repository': 'factory',
      'build-id': 'image-scan:77aa',
      'commit': 'fedcba9876543210fedcba9876543210fedcba98',
    });
    // The SBOM is a file of the stage's output artifact, for EcrScanStage to attach to the pushed image.
    expect(fs.readFileSync(path.join(workspace.source, 'image', 'sbom.json'), 'utf8')).toBe(SBOM);
    expect(fs.readFileSync(path.join(workspace.source, 'image', 'sbom-format.txt'), 'utf8').trim()).toBe('cyclonedx');
    // Under sbom/, never raw/: the findings processor would take it for a scanner report.
    expect(recordedUploads(workspace.record).filter((u) => u.destination.includes('/raw/')).map((u) => u.destination))
      .toEqual(['s3://factory-reports/raw/factory/image/3/grype.json', 's3://factory-reports/raw/factory/image/3/sbom-licenses.json']);
  });

  test('writes SPDX JSON instead when asked', () => {
    const workspace = track(newWorkspace());

    runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, MALWARE_SCAN: 'false', SBOM_FORMAT: 'spdx-json' } });

    expect(fs.readFileSync(path.join(workspace.record, 'trivy.log'), 'utf8')).toContain('--format spdx-json');
    expect(recordedUploads(workspace.record).find((u) => u.destination.includes('/sbom/'))!.destination)
      .toBe(`s3://factory-reports/sbom/factory/${IMAGE_ID.replace(':', '-')}.spdx.json`);
  });

  test('refuses an unknown SBOM format before uploading anything', () => {
    const workspace = track(newWorkspace());

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: { ...workspace.env, SBOM_FORMAT: 'xml' } });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 3, status: 2 });
    expect(run.output).toContain("Unsupported SBOM_FORMAT 'xml'");
    expect(recordedUploads(workspace.record)).toEqual([]);
  });

  test('a checkout that brings its own image/ (whose symlinks could redirect the artifact) stops the stage before the build', () => {
    const workspace = track(newWorkspace());
    fs.mkdirSync(path.join(workspace.source, 'image'));
    fs.symlinkSync('/dev/null', path.join(workspace.source, 'image', 'sbom.json'));

    const run = runPhase(spec, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 1, status: 2 });
    expect(run.output).toContain("The repository is not scanned: it contains 'image', where the image stage writes its artifact");
    expect(recordedUploads(workspace.record)).toEqual([]);
  });

  test('finds the EICAR test file in an image layer with the real clamscan', () => {
    const workspace = track(newWorkspace());
    plantEicar(workspace, 'srv/downloads/invoice.pdf.exe');
    const throughMalwareScan = { ...spec, phases: { build: { commands: spec.phases.build.commands.slice(0, 5) } } };

    const run = runPhase(throughMalwareScan, 'build', { cwd: workspace.source, env: workspace.env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    const report = fs.readFileSync(path.join(workspace.source, 'reports', 'clamav.txt'), 'utf8');
    expect(report.split('\n').filter((line) => line.endsWith(' FOUND')))
      .toEqual(['./layer-2/srv/downloads/invoice.pdf.exe: Factory.Test.Eicar.UNOFFICIAL FOUND']);
    expect(report).toMatch(/^Scanned files: 2$/m);
    expect(fs.readFileSync(path.join(workspace.source, 'reports', 'manifest.tsv'), 'utf8'))
      .toBe('grype\treports/grype.json\nclamav\treports/clamav.txt\n');
    // The extracted filesystem does not stay behind to end up in an artifact.
    expect(fs.existsSync(path.join(workspace.source, 'image', 'rootfs'))).toBe(false);
  });

  test('gates ClamAV\'s report like the scanner\'s: malware fails the stage', () => {
    const workspace = track(newWorkspace());
    plantEicar(workspace, 'usr/local/bin/helper');
    const env = {
      ...workspace.env,
      SCANNER: 'custom',
      CUSTOM_SCANNER_RUN: 'printf \'{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"in-house"}},"results":[]}]}\' > reports/in-house.sarif',
      CUSTOM_SCANNER_REPORT: 'reports/in-house.sarif',
      CUSTOM_SCANNER_PARSER: 'sarif',
    };

    const run = runPhase(spec, 'build', { cwd: workspace.source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
    const upload = recordedUploads(workspace.record).find((u) => u.destination.endsWith('/clamav.txt'))!;
    expect([upload.destination, upload.metadata?.tool]).toEqual(['s3://factory-reports/raw/factory/image/3/clamav.txt', 'clamav']);
    const findings = JSON.parse(fs.readFileSync(path.join(workspace.source, 'reports', 'clamav.asff.json'), 'utf8')).Findings;
    expect(findings).toHaveLength(1);
    expect(JSON.stringify(findings[0])).toContain('Factory.Test.Eicar');
  });

  test('runs a custom scanner against the saved tarball, scans a clean image for malware and records the passed gate', () => {
    const workspace = track(newWorkspace());
    const env = {
      ...workspace.env,
      SCANNER: 'custom',
      CUSTOM_SCANNER_RUN: 'test -s "$IMAGE_TARBALL" && '
        + 'printf \'{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"in-house"}},"results":[]}]}\' > reports/in-house.sarif',
      CUSTOM_SCANNER_REPORT: 'reports/in-house.sarif',
      CUSTOM_SCANNER_PARSER: 'sarif',
    };

    const run = runPhase(spec, 'build', { cwd: workspace.source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: undefined, status: 0 });
    expect(recordedUploads(workspace.record).map((u) => [u.destination, u.metadata?.tool])).toEqual([
      [`s3://factory-reports/sbom/factory/${IMAGE_ID.replace(':', '-')}.cdx.json`, undefined],
      ['s3://factory-reports/policies/factory/image/3/security-policy.yml', undefined],
      ['s3://factory-reports/raw/factory/image/3/in-house.sarif', 'sarif'],
      ['s3://factory-reports/raw/factory/image/3/clamav.txt', 'clamav'],
      ['s3://factory-reports/raw/factory/image/3/sbom-licenses.json', 'sbom-licenses'],
    ]);
    const policy = Buffer.from(workspace.env.FACTORY_POLICY_B64, 'base64');
    const repositoryPolicy = fs.readFileSync(path.join(workspace.source, 'security-policy.yml'));
    expect(JSON.parse(fs.readFileSync(path.join(workspace.source, 'image', 'gates.json'), 'utf8'))).toEqual([{
      stage: 'image',
      result: 'passed',
      build: 'image-scan:77aa',
      tools: ['sarif', 'clamav', 'sbom-licenses'],
      policyDigest: { sha256: createHash('sha256').update(policy).digest('hex') },
      repositoryPolicyDigest: { sha256: createHash('sha256').update(repositoryPolicy).digest('hex') },
    }]);
  });

  describe('licence policy', () => {
    /** A clean image, scanned by a custom scanner that finds nothing: only the licence rules can fail the gate. */
    const cleanScan = (workspace: ImageWorkspace, licenses: string) => ({
      ...workspace.env,
      MALWARE_SCAN: 'false',
      SCANNER: 'custom',
      CUSTOM_SCANNER_RUN: 'printf \'{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"in-house"}},"results":[]}]}\' > reports/in-house.sarif',
      CUSTOM_SCANNER_REPORT: 'reports/in-house.sarif',
      CUSTOM_SCANNER_PARSER: 'sarif',
      FACTORY_POLICY_B64: Buffer.from(`version: 1\nstages:\n  image:\n    threshold: HIGH\n${licenses}`).toString('base64'),
    });

    test('a denied licence in the SBOM fails the gate with a one-line summary, after the report was uploaded and converted', () => {
      const workspace = track(newWorkspace());

      const run = runPhase(spec, 'build', { cwd: workspace.source, env: cleanScan(workspace, 'licenses:\n  deny: [AGPL-3.0-only]\n') });

      expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: spec.phases.build.commands.length - 1, status: 1 });
      expect(run.output).toMatch(/^asff gate: stage image, threshold HIGH: FAILED \(1 blocking\)$/m);
      expect(run.output).toMatch(/^asff licenses: stage image: 3 packages, 1 licence violation\(s\) \(AGPL-3\.0-only 1\)$/m);
      const upload = recordedUploads(workspace.record).find((u) => u.destination.endsWith('/sbom-licenses.json'))!;
      expect([upload.destination, upload.metadata?.tool, upload.metadata?.scope])
        .toEqual(['s3://factory-reports/raw/factory/image/3/sbom-licenses.json', 'sbom-licenses', 'factory/default/image/sbom-licenses']);
      const findings = JSON.parse(fs.readFileSync(path.join(workspace.source, 'reports', 'sbom-licenses.asff.json'), 'utf8')).Findings;
      expect(findings.map((f: any) => [f.GeneratorId, f.Severity.Label, f.Resources.map((r: any) => r.Id)]))
        .toEqual([['sbom-licenses/AGPL-3.0-only', 'HIGH', [IMAGE_ID, 'pkg:npm/pdf-render@4.0.1']]]);
      expect(fs.existsSync(path.join(workspace.source, 'image', 'gates.json'))).toBe(false);
    });

    test('an allowed licence passes, and the repository\'s file may tighten the rules but not loosen them', () => {
      const workspace = track(newWorkspace());
      const env = cleanScan(workspace, 'licenses:\n  allow: [MIT, AGPL-3.0-only]\n');

      const allowed = runPhase(spec, 'build', { cwd: workspace.source, env });

      expect({ failedCommand: allowed.failedCommand, status: allowed.status }).toEqual({ failedCommand: undefined, status: 0 });
      expect(allowed.output).toMatch(/^asff licenses: stage image: 3 packages, 0 licence violation\(s\)$/m);

      // The repository denies the AGPL its factory allows: that tightens, and fails the stage. The next build starts
      // from a fresh checkout, without this one's reports and image artifact.
      for (const output of ['reports', 'image']) fs.rmSync(path.join(workspace.source, output), { recursive: true });
      fs.appendFileSync(path.join(workspace.source, 'security-policy.yml'),
        'licenses:\n  deny: [AGPL-3.0-only]\n  allow: [MIT, AGPL-3.0-only, GPL-3.0-only]\n');
      const tightened = runPhase(spec, 'build', { cwd: workspace.source, env });

      expect(tightened.status).toBe(1);
      expect(tightened.output).toContain('note: security-policy.yml tightens the licence deny list of stage image with AGPL-3.0-only');
      expect(tightened.output).toMatch(/^asff gate: stage image, threshold HIGH: FAILED \(1 blocking\)$/m);
    });
  });

  test('fails when a custom scanner writes no report, instead of passing an unscanned image', () => {
    const workspace = track(newWorkspace());
    const env = {
      ...workspace.env, SCANNER: 'custom', CUSTOM_SCANNER_RUN: 'true', CUSTOM_SCANNER_REPORT: 'reports/none.json', CUSTOM_SCANNER_PARSER: 'sarif',
    };

    const run = runPhase(spec, 'build', { cwd: workspace.source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: 2, status: 2 });
    expect(run.output).toContain('wrote no report');
    expect(recordedUploads(workspace.record)).toEqual([]);
  });
});
