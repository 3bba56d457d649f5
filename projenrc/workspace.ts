import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { javascript, Project } from 'projen';

/**
 * The version lerna last wrote into a package's manifest.
 *
 * projen writes "0.0.0" on every synth unless RELEASE=true; lerna owns versions
 * here, so we read the committed one back and `npx projen` after
 * `lerna version` leaves no diff.
 */
export function committedVersion(outdir: string, fallback = '0.1.0'): string {
  const manifest = join(__dirname, '..', outdir, 'package.json');
  if (!existsSync(manifest)) return fallback;
  const version = JSON.parse(readFileSync(manifest, 'utf-8')).version;
  return typeof version === 'string' && version !== '0.0.0' ? version : fallback;
}

/** A `name@^version` spec that follows the sibling's committed version (lerna bumps both together). */
export function siblingDependency(name: string, outdir: string): string {
  return `${name}@^${committedVersion(outdir)}`;
}

/**
 * Makes the root the only place that installs.
 *
 * A subproject's own post-synth install runs while its siblings' manifests are
 * still stale (ERESOLVE), and its "*" resolution silently drops what it cannot
 * find. Instead, subprojects skip both; once every manifest is written the root
 * installs the whole workspace, resolves every "*" against the hoisted
 * node_modules, and installs again only if a manifest changed.
 */
export function delegateInstallToRoot(root: javascript.NodeProject, subprojects: javascript.NodeProject[]): void {
  for (const sub of subprojects) {
    sub.package.postSynthesize = () => {};
    sub.package.addField('version', committedVersion(relativeOutdir(root, sub)));
  }
  const rootPostSynth = root.package.postSynthesize.bind(root.package);
  root.package.postSynthesize = () => {
    rootPostSynth();
    let changed = false;
    for (const sub of subprojects) {
      if (lockIsStale(root, sub)) changed = true;
      const resolutions = (sub.package as any).resolveDepsAndWritePackageJson() as string[] | undefined;
      if (resolutions?.length) {
        root.logger.info(`${sub.package.packageName}: ${resolutions.join(', ')}`);
        changed = true;
      }
    }
    if (changed) {
      root.tasks.runTask(process.env.CI ? root.package.installCiTask.name : root.package.installTask.name);
    }
  };
}

/**
 * True when a subproject's manifest declares other dependencies than the
 * lockfile recorded for it (a dependency added in projenrc/): the root must
 * install so that `npm ci` on a fresh clone gets them.
 */
function lockIsStale(root: Project, sub: javascript.NodeProject): boolean {
  const lockPath = join(root.outdir, 'package-lock.json');
  const manifestPath = join(sub.outdir, 'package.json');
  if (!existsSync(lockPath) || !existsSync(manifestPath)) return true;
  const locked = JSON.parse(readFileSync(lockPath, 'utf-8')).packages?.[relativeOutdir(root, sub)];
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf-8'));
  if (!locked) return true;
  return ['dependencies', 'devDependencies', 'peerDependencies'].some(
    (field) => JSON.stringify(sorted(locked[field])) !== JSON.stringify(sorted(manifest[field])),
  );
}

function sorted(deps: Record<string, string> | undefined): [string, string][] {
  return Object.entries(deps ?? {}).sort(([a], [b]) => a.localeCompare(b));
}

function relativeOutdir(root: Project, sub: Project): string {
  return sub.outdir.slice(root.outdir.length + 1);
}
