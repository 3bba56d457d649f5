import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ASFF_CLI, linkTool, stubTool } from '../../../../packages/scan-stage-construct/test/support/buildspec-runner';

/** What `docker save` writes in the rehearsal: fixed, so the digest crane reports is known in advance. */
export const IMAGE_TARBALL = 'rehearsal image layers';
export const IMAGE_DIGEST = `sha256:${createHash('sha256').update(IMAGE_TARBALL).digest('hex')}`;
export const IMAGE_ID = `sha256:${'1d'.repeat(32)}`;

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
  // Each action's build sets REHEARSAL_RECORD to its own record folder, so calls are kept per action.
  const log = (tool: string) => `printf '%s\\n' "$*" >> "\${REHEARSAL_RECORD}/${tool}.log"`;
  linkTool(bin, 'asff', ASFF_CLI);
  stubTool(bin, 'docker', `${log('docker')}
case "$1" in
  build) ;;
  save) [ "$2" = "--output" ] || exit 3; printf '%s' ${JSON.stringify(IMAGE_TARBALL)} > "$3" ;;
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
printf '{"matches":[],"source":{"type":"image","target":{"userInput":"image/image.tar"}},"descriptor":{"name":"grype","version":"0.119.0"}}' > "$out"`);
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
  "version --output") printf '{"clientVersion":{"major":"1","minor":"36","gitVersion":"v1.36.4"},"serverVersion":{"major":"1","minor":"35+","gitVersion":"v1.35.2-eks-113cf36"}}' ;;
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
