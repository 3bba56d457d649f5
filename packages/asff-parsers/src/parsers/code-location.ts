import type { ScanContext } from '../asff/scan-context';
import { sourceRootRewriter } from '../asff/source-root';

/**
 * A file path as it goes into an Id: forward slashes, because a report
 * written on a Windows build host says `app\db\queries.py` and the same
 * finding must keep its Id on every host.
 */
export function portablePath(path: string): string {
  return path.replace(/\\/g, '/');
}

/**
 * The Resource Id of a place in the scanned source: `repository/path:line`
 * (the repository from `--repository`, the path relative to `--source-root`
 * and without a leading slash, the line when the tool gives one), so a reader
 * can open the exact line.
 */
export function codeLocationId(scan: Pick<ScanContext, 'repository' | 'sourceRoot'>, path: string, line?: number): string {
  // Relative to the checkout first: once the leading slash is gone, the builder could no longer tell the root apart.
  const relative = sourceRootRewriter(scan.sourceRoot)?.(path) ?? path;
  const file = portablePath(relative).replace(/^\/+/, '');
  return `${scan.repository ? `${scan.repository}/` : ''}${file}${line === undefined ? '' : `:${line}`}`;
}
