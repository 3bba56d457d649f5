// The `@devsecops-factory/asff-parsers/asff` entry: the building blocks convert applies to every finding (builder,
// Ids, limits, redaction, finding types, severity mapping, correlation fields), for code that builds or reads
// ASFF findings itself. Their internals (Id disambiguation, in-place limiting, hashing, the seen-Id table) are not here.
export { buildFinding, COMPANY_NAME, productArn, SCHEMA_VERSION, type BuildOptions, type FindingTool } from './builder';
export { findingId } from './finding-id';
export { enforceLimits } from './enforce-limits';
export { LIMITS, TRUNCATION_MARKER, truncateBytes, truncateChars } from './limits';
export { redactSecrets } from './redact';
export { FINDING_TYPE_NAMESPACES, FindingTypes, vulnerabilityType } from './finding-types';
export { PARTITIONS, type Partition, type ScanContext } from './scan-context';
export { validateFinding, type ValidationIssue } from './validate';
export {
  canonicalVulnerabilityId,
  CORRELATION_GROUP_PRODUCT_FIELD,
  CORRELATION_PRODUCT_FIELD,
  correlationKeyOf,
  FINGERPRINT_PRODUCT_FIELD,
  fingerprintOf,
} from './correlation';
export { labelFromScore, parseScore, severityFrom, VULNERABILITY_SEVERITIES } from '../parsers/severity';
