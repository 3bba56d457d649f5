import type { ScanContext } from '../asff/scan-context';

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
 * (the repository from `--repository`, the path without a leading slash, the
 * line when the tool gives one), so a reader can open the exact line.
 */
export function codeLocationId(scan: Pick<ScanContext, 'repository'>, path: string, line?: number): string {
  const file = portablePath(path).replace(/^\/+/, '');
  return `${scan.repository ? `${scan.repository}/` : ''}${file}${line === undefined ? '' : `:${line}`}`;
}
