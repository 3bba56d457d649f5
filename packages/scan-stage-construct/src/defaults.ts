/** Policy file path, relative to the input artifact, when `policyFile` is not given. */
export const DEFAULT_POLICY_FILE = 'security-policy.yml';

/** Prefix under which the stages upload raw reports and the findings processor reads them. */
export const RAW_REPORTS_PREFIX = 'raw/';

/**
 * Prefix under which the stages upload the policy file each report was gated with
 * (`policy-key` metadata), so that the findings processor applies its suppressions.
 */
export const POLICIES_PREFIX = 'policies/';

/**
 * The factory-owned policy a stage is gated with when `factoryPolicy` is not given: secrets fail at LOW,
 * everything else at HIGH, and the repository's policy file may propose suppressions of at most 90 days.
 */
export const DEFAULT_FACTORY_POLICY = [
  'version: 1',
  'stages:',
  '  secrets: LOW',
  'default: HIGH',
  'repository:',
  '  suppressions: true',
  '  maxSuppressionDays: 90',
  '',
].join('\n');

/**
 * Prefix of the SBOMs ImageScanStage writes, one per built image, named by its image id:
 * `sbom/<repository>/sha256-<hex>.cdx.json` (or `.spdx.json`). Outside `raw/`, so the findings processor
 * never takes an SBOM for a scanner report.
 */
export const SBOM_PREFIX = 'sbom/';

/**
 * Prefix of the provenance statements EcrScanStage writes, one per pushed digest:
 * `provenance/<repository>/sha256-<hex>.intoto.json`, named by the digest.
 */
export const PROVENANCE_PREFIX = 'provenance/';
