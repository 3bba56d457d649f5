import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ASFF_CLI, linkTool, stubTool } from '../../../../packages/scan-stage-construct/test/support/buildspec-runner';

/**
 * One ustar entry: a 512-byte header (fixed owner, mode and time, so the archive is the same on every run)
 * and the content padded to 512 bytes.
 */
function tarEntry(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, `${content.length.toString(8).padStart(11, '0')}\0`);
  field(136, 12, '00000000000\0');
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  field(148, 8, `${checksum.toString(8).padStart(6, '0')}\0 `);
  return Buffer.concat([header, content, Buffer.alloc((512 - (content.length % 512)) % 512)]);
}

function tar(entries: Array<[string, Buffer]>): Buffer {
  return Buffer.concat([...entries.map(([name, content]) => tarEntry(name, content)), Buffer.alloc(1024)]);
}

/**
 * What `docker save` writes in the rehearsal: a real image tarball (manifest.json and one layer) so the
 * malware scan can extract it, and fixed, so the digest crane reports is known in advance.
 */
export const IMAGE_TARBALL = tar([
  ['manifest.json', Buffer.from('[{"Config":"config.json","RepoTags":["scan-target:1"],"Layers":["layer/layer.tar"]}]')],
  ['layer/layer.tar', tar([['app/server.js', Buffer.from('console.log("sample app");\n')]])],
]);
export const IMAGE_DIGEST = `sha256:${createHash('sha256').update(IMAGE_TARBALL).digest('hex')}`;
export const IMAGE_ID = `sha256:${'1d'.repeat(32)}`;

/** A clean grype report of the image. */
const GRYPE_REPORT = JSON.stringify({
  matches: [],
  source: { type: 'image', target: { userInput: 'image/image.tar' } },
  descriptor: { name: 'grype', version: '0.119.0' },
});
/** `kubectl version --output json`: a client within one minor of the EKS server. */
const KUBECTL_VERSION = JSON.stringify({
  clientVersion: { major: '1', minor: '36', gitVersion: 'v1.36.4' },
  serverVersion: { major: '1', minor: '35+', gitVersion: 'v1.35.2-eks-113cf36' },
});

/**
 * The tools every stage finds on PATH in place of what its install phase
 * downloads (the install phases are skipped: they fetch releases and the asff
 * bundle from the network). Real: asff, git-secrets, jq, node, and kubectl for
 * its offline `kustomize` and `annotate --local`. Stubbed, each recording its
 * arguments in `$REHEARSAL_RECORD/<tool>.log`: docker, the scanners (clean reports),
 * crane (push prints the digest of the tarball) and kubectl's cluster calls.
 */
export function installTools(bin: string): void {
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(bin, 'image.tar'), IMAGE_TARBALL);
  // Each action's build sets REHEARSAL_RECORD to its own record folder, so calls are kept per action.
  const log = (tool: string) => `printf '%s\\n' "$*" >> "\${REHEARSAL_RECORD}/${tool}.log"`;
  linkTool(bin, 'asff', ASFF_CLI);
  stubTool(bin, 'docker', `${log('docker')}
case "$1" in
  build) ;;
  save) [ "$2" = "--output" ] || exit 3; cp ${JSON.stringify(path.join(bin, 'image.tar'))} "$3" ;;
  image) echo ${JSON.stringify(IMAGE_ID)} ;;
  *) exit 2 ;;
esac`);
  stubTool(bin, 'semgrep', `${log('semgrep')}
out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS","rules":[]}},"results":[]}]}' > "$out"`);
  stubTool(bin, 'hadolint', `${log('hadolint')}
[ -f "\${@: -1}" ] || { echo "no Dockerfile at \${@: -1}" >&2; exit 1; }
echo '[]'`);
  stubTool(bin, 'grype', `${log('grype')}
[ -f image/image.tar ] || exit 3
out=""; while [ $# -gt 0 ]; do [ "$1" = "--file" ] && out="$2"; shift; done
printf '${GRYPE_REPORT}' > "$out"`);
  // DAST: ZAP needs Java and a live staging target, so the daemon is not started (the buildspec backgrounds
  // /opt/zap/zap.sh, which is absent here) and curl plays its API: the plan runs and writes a clean report
  // where the plan says, so the plan preparation, the report upload, conversion and gate run for real.
  stubTool(bin, 'curl', `${log('curl')}
case "$*" in
  */JSON/core/view/version/*) echo '{"version":"2.17.0"}' ;;
  */JSON/automation/action/runPlan/*)
    plan="$(printf '%s\\n' "$@" | sed -n 's/^filePath=//p')"
    target="$(jq -r '.env.contexts[0].urls[0]' "$plan")"
    report="$(jq -r '.jobs[] | select(.type == "report") | .parameters.reportDir + "/" + .parameters.reportFile' "$plan")"
    jq -n --arg site "$target" '{"@programName":"ZAP","@version":"2.17.0","site":[{"@name":$site,"alerts":[]}]}' > "$report"
    echo '{"planId":"1"}' ;;
  */JSON/automation/view/planProgress/*) echo '{"finished":"2026-01-01T00:00:00Z","error":[],"warn":[],"info":[]}' ;;
  */JSON/core/action/shutdown/*) echo '{"Result":"OK"}' ;;
  *) echo "curl stub: unexpected $*" >&2; exit 7 ;;
esac`);
  // The SBOM: a small CycloneDX document at the --output path.
  stubTool(bin, 'trivy', `${log('trivy')}
out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}' > "$out"`);
  // The malware scan of the extracted layers: clean (the real clamscan runs in scan-stage-construct's tests).
  stubTool(bin, 'clamscan', `${log('clamscan')}
[ -d layer-1 ] || { echo "no extracted layer" >&2; exit 2; }
printf '\\n----------- SCAN SUMMARY -----------\\nKnown viruses: 8700000\\nEngine version: 1.4.6\\nScanned files: 1\\nInfected files: 0\\n'`);
  installRegistryStubs(bin, path.join(bin, '..', 'registry'));
  fs.writeFileSync(path.join(bin, 'crane'), `#!/usr/bin/env node
const fs = require('fs');
const crypto = require('crypto');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.REHEARSAL_RECORD + '/crane.log', args.join(' ') + '\\n');
if (args[0] === 'auth' && args[1] === 'login') process.exit(fs.readFileSync(0, 'utf8').trim() ? 0 : 1);
if (args[0] === 'push') {
  const [tarball, reference] = args.slice(1, 3);
  const digest = crypto.createHash('sha256').update(fs.readFileSync(tarball)).digest('hex');
  fs.writeFileSync(args[args.indexOf('--image-refs') + 1], reference.slice(0, reference.lastIndexOf(':')) + '@sha256:' + digest + '\\n');
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
  const realKubectl = execFileSync('bash', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  // Cluster calls answer as a reachable cluster whose namespace enforces the restricted Pod Security level;
  // apply keeps a copy of what it was given (kubectl-apply-N.yaml) and prints the applied objects' names.
  stubTool(bin, 'kubectl', `${log('kubectl')}
case "$1 \${2:-}" in
  kustomize*|"annotate --local") exec ${JSON.stringify(realKubectl)} "$@" ;;
  "version --output") printf '${KUBECTL_VERSION}' ;;
  "get namespace") printf restricted ;;
  "apply --namespace")
    file=""; for i in $(seq 1 $#); do [ "\${!i}" = "--filename" ] && { j=$((i + 1)); file="\${!j}"; }; done
    n="$(ls "\${REHEARSAL_RECORD}" | grep -c '^kubectl-apply-' || true)"
    cp "$file" "\${REHEARSAL_RECORD}/kubectl-apply-$n.yaml"
    ${JSON.stringify(realKubectl)} annotate --local --filename "$file" 'rehearsal.invalid/none-' --output name ;;
  "rollout status") ;;
  *) echo "kubectl stub: unexpected $*" >&2; exit 99 ;;
esac`);
}

/** The lines a stub tool logged, one call each. */
export function toolCalls(record: string, tool: string): string[] {
  const file = path.join(record, `${tool}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/**
 * oras and notation over one fake registry folder shared by every action, so what the publish step attaches
 * and signs is what the deploys verify: `referrers/<subject digest>/<digest>` holds a referrer's artifact
 * type, `blobs/<digest>` its file, `signatures/<digest>` the signing profile. notation verify passes when the
 * imported trust policy trusts that profile for the repository, as notation with the AWS Signer plugin does.
 */
function installRegistryStubs(bin: string, registry: string): void {
  fs.mkdirSync(registry, { recursive: true });
  const common = `const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const args = process.argv.slice(2);
const registry = ${JSON.stringify(registry)};
const reference = args[args.length - 1];
const digestOf = (ref) => ref.slice(ref.indexOf('@') + 1);
const stored = (...parts) => path.join(registry, ...parts);
if (args[0] === 'login') process.exit(fs.readFileSync(0, 'utf8').trim() ? 0 : 1);
`;
  fs.writeFileSync(path.join(bin, 'oras'), `#!/usr/bin/env node
${common}fs.appendFileSync(process.env.REHEARSAL_RECORD + '/oras.log', args.join(' ') + '\\n');
const type = args[args.indexOf('--artifact-type') + 1];
if (args[0] === 'attach') {
  const [subject, file] = args.slice(-2);
  const content = fs.readFileSync(file.slice(0, file.lastIndexOf(':')));
  const digest = 'sha256:' + crypto.createHash('sha256').update(type).update(content).digest('hex');
  fs.mkdirSync(stored('referrers', digestOf(subject)), { recursive: true });
  fs.writeFileSync(stored('referrers', digestOf(subject), digest), type);
  fs.mkdirSync(stored('blobs'), { recursive: true });
  fs.writeFileSync(stored('blobs', digest), content);
  console.log(JSON.stringify({ digest, artifactType: type }));
  process.exit(0);
}
if (args[0] === 'discover') {
  const dir = stored('referrers', digestOf(reference));
  const referrers = (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((d) => fs.readFileSync(path.join(dir, d), 'utf8') === type)
    .map((digest) => ({ digest, artifactType: type }));
  console.log(JSON.stringify({ reference, referrers }));
  process.exit(0);
}
if (args[0] === 'pull') {
  const output = args[args.indexOf('--output') + 1];
  fs.mkdirSync(output, { recursive: true });
  fs.copyFileSync(stored('blobs', digestOf(reference)), path.join(output, 'provenance.intoto.json'));
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
  fs.writeFileSync(path.join(bin, 'notation'), `#!/usr/bin/env node
${common}fs.appendFileSync(process.env.REHEARSAL_RECORD + '/notation.log', args.join(' ') + '\\n');
const policy = path.join(process.env.HOME, 'trust-policy.json');
if (args[0] === 'sign') {
  fs.mkdirSync(stored('signatures'), { recursive: true });
  fs.writeFileSync(stored('signatures', digestOf(reference)), args[args.indexOf('--id') + 1]);
  process.exit(0);
}
if (args[0] === 'policy' && args[1] === 'import') { fs.copyFileSync(reference, policy); process.exit(0); }
if (args[0] === 'verify') {
  const trust = JSON.parse(fs.readFileSync(policy, 'utf8')).trustPolicies[0];
  const signature = stored('signatures', digestOf(reference));
  const signedBy = fs.existsSync(signature) ? fs.readFileSync(signature, 'utf8') : undefined;
  if (!trust.registryScopes.includes(reference.split('@')[0]) || !trust.trustedIdentities.includes(signedBy)) {
    console.error('Error: signature verification failed for all the signatures associated with ' + reference);
    process.exit(1);
  }
  process.exit(0);
}
process.exit(2);
`, { mode: 0o755 });
}
