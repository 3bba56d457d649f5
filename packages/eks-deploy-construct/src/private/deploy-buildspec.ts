import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';

/** First line of the eks-deploy.yml command that stands in for the admission checker. */
const ADMISSION_PLACEHOLDER = '# eks-deploy:admission-check';
/** Ends the quoted heredoc that writes the checker; it may not appear as a line of the checker. */
const HEREDOC_END = 'EKS_DEPLOY_ADMISSION_CHECK_JS';
const PACKAGE_ROOT = path.join(__dirname, '..', '..');

/**
 * The deploy buildspec as the project runs it: eks-deploy.yml with its
 * placeholder command replaced by one that writes admission-check.js to a
 * fresh directory outside the source artifact (which the commit controls) and
 * exports its path as ADMISSION_CHECK.
 *
 * The checker travels in the buildspec rather than in an environment
 * variable: it is larger than the 4,096 characters CodeBuild allows a
 * StartBuild override, and in the buildspec the code stays readable in the
 * CloudFormation diff.
 */
export function deployBuildspec(): Record<string, any> {
  const buildspec = YAML.parse(readAsset('eks-deploy.yml'));
  const commands: string[] = buildspec.phases.pre_build.commands;
  const index = commands.findIndex((command) => command.startsWith(ADMISSION_PLACEHOLDER));
  if (index < 0) {
    throw new Error(`eks-deploy.yml has no '${ADMISSION_PLACEHOLDER}' command to replace`);
  }
  commands[index] = writeAdmissionCheckCommand(admissionCheckSource());
  return buildspec;
}

/** The source of admission-check.js (plain JavaScript, run with node in the build). */
export function admissionCheckSource(): string {
  return readAsset('admission-check.js');
}

function writeAdmissionCheckCommand(source: string): string {
  if (source.split('\n').some((line) => line.trim() === HEREDOC_END)) {
    throw new Error(`admission-check.js contains the line ${HEREDOC_END}, which would end its heredoc early`);
  }
  return [
    'set -euo pipefail',
    '# admission-check.js, embedded by EksDeployStage from @devsecops-factory/eks-deploy-construct.',
    'ADMISSION_CHECK="$(mktemp -d)/admission-check.js"',
    'export ADMISSION_CHECK',
    `cat > "\${ADMISSION_CHECK}" <<'${HEREDOC_END}'`,
    source.endsWith('\n') ? source.slice(0, -1) : source,
    HEREDOC_END,
    '',
  ].join('\n');
}

/**
 * Reads a file the package embeds from the repository's buildspecs/ folder
 * (assets/buildspecs, filled by the pre-compile task), so the published package
 * carries what it synthesizes.
 */
function readAsset(name: string): string {
  const embedded = path.join(PACKAGE_ROOT, 'assets', 'buildspecs', name);
  if (!fs.existsSync(embedded)) {
    throw new Error(`${name} is not embedded in this package (assets/buildspecs); build the package (npx projen compile)`);
  }
  return fs.readFileSync(embedded, 'utf8');
}
