import type { ScanContext } from './scan-context';
import { sha256Hex } from './sha256';

/**
 * The image repository without tag or digest: the same image repository keeps
 * its findings' Ids when a new build pushes a new tag or digest.
 */
export function imageRepository(image: string | undefined): string {
  if (image === undefined) return '';
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
}

/**
 * The stable Id of a finding: a hash of (tool, scope, rule id, location key).
 * The scope is repository, branch and image repository; commit, build id and
 * time are deliberately left out so the next build updates the same finding
 * instead of creating a new one. Account and Region are not needed: Security
 * Hub scopes Ids by ProductArn, which already holds both.
 */
export function findingId(toolId: string, scan: ScanContext, ruleId: string, locationKey: string): string {
  const hash = sha256Hex(JSON.stringify([toolId, scan.repository ?? '', scan.branch ?? '', imageRepository(scan.image), ruleId, locationKey]));
  return `${toolId}/${hash.slice(0, 40)}`;
}

/** A later finding with an Id already used in the report gets the next occurrence number. */
export function disambiguatedId(id: string, occurrence: number): string {
  return `${id}-${occurrence}`;
}
