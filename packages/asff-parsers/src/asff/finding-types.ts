/**
 * ASFF finding types used by the parsers (`namespace/category/classifier`,
 * from the Security Hub types taxonomy). A parser picks from here so that the
 * same kind of problem is filed under the same type whichever tool found it.
 */
export const FindingTypes = {
  /** A known vulnerability with a CVE id in a package. */
  CVE: 'Software and Configuration Checks/Vulnerabilities/CVE',
  /** A known vulnerability in a package without a CVE (GHSA, SNYK-, vendor advisories). */
  PACKAGE_VULNERABILITY: 'Software and Configuration Checks/Vulnerabilities/Software Package',
  /** A weakness found in source code (SAST). */
  CODE_VULNERABILITY: 'Software and Configuration Checks/Vulnerabilities/Code',
  /** A weakness found in a running web application (DAST). */
  WEB_APPLICATION_VULNERABILITY: 'Software and Configuration Checks/Vulnerabilities/Web Application',
  /** A configuration or best-practice check that failed (IaC, Dockerfile, image hygiene). */
  CONFIGURATION: 'Software and Configuration Checks/Industry and Regulatory Standards',
  /** Reachability of a resource from the network. */
  NETWORK_REACHABILITY: 'Software and Configuration Checks/AWS Security Best Practices/Network Reachability',
  /** A credential or key committed to source or baked into an artifact. */
  SECRET: 'Sensitive Data Identifications/Passwords',
} as const;

/** The namespaces Security Hub accepts as the first part of a type. */
export const FINDING_TYPE_NAMESPACES: readonly string[] = [
  'Software and Configuration Checks',
  'TTPs',
  'Effects',
  'Unusual Behaviors',
  'Sensitive Data Identifications',
];

/** A CVE id gets the CVE type, anything else the package-vulnerability type. */
export function vulnerabilityType(id: string): string {
  return /^CVE-\d{4}-\d+$/i.test(id) ? FindingTypes.CVE : FindingTypes.PACKAGE_VULNERABILITY;
}
