// The supported API of @devsecops-factory/asff-parsers (README "Public API", docs/adr/0006-asff-parsers-public-api.md).
// Named exports only: a module's helpers stay internal unless listed here or in a subpath entry
// (asff/index.ts, streams/index.ts, importer/index.ts, ocsf/index.ts, lambda/handler.ts); test/public-api.test.ts
// pins this list, so adding to it is a decision, not a side effect of exporting something for a sibling module.

// Converting a report.
export { convert, type Conversion, type ConvertOptions, type ConvertStats } from './convert';
export type { Partition, ScanContext } from './asff/scan-context';
export { MalformedInputError, ReportError, UsageError, type ReportErrorKind } from './errors';
export { fileSource, memorySource, type ReportSource } from './streams/report-source';

// The parser contract and the registry (a custom parser is passed to convert's `parsers`).
export type {
  DraftResource,
  DraftSeverity,
  DraftVulnerability,
  FindingDraft,
  ParseContext,
  Parser,
  ReportHead,
  SeverityLabel,
  SeverityTable,
} from './parsers/parser';
export { findParser, PARSERS, toolIds } from './parsers/registry';
export { detectParser } from './parsers/detect';
export { FindingTypes } from './asff/finding-types';

// Checking a finding against Security Hub's rules.
export { validateFinding, type ValidationIssue } from './asff/validate';

// Importing into Security Hub.
export {
  FileDeadLetterSink,
  formatScope,
  MemoryDeadLetterSink,
  SecurityHubImporter,
  type DeadLetter,
  type DeadLetterSink,
  type ImportOutcome,
  type ImportProgress,
  type ImportRun,
  type ImportSummary,
  type ScopeParts,
  type SecurityHubImporterOptions,
} from './importer';

// The policy file.
export { loadPolicy, parsePolicy } from './policy/parse-policy';
export { PolicyError } from './policy/policy-error';
export type { GateMode, RepositoryRules, SecurityPolicy, SlaLimit, SlaLimits, Suppression } from './policy/security-policy';
export type { Threshold } from './policy/severity';
export { combinePolicies, type CombinedPolicy, type RejectedSuppression } from './policy/combine-policies';
export { applySuppressions, type ApplySuppressionsOptions, type SuppressionSummary } from './policy/apply-suppressions';

// Gating a build.
export { evaluateGate, type EvaluateGateOptions } from './gate/evaluate-gate';
export { Baseline, findingsOfScopes, type BaselineMatch } from './gate/baseline';
export type { AgeCounts, FindingAge, GatedFinding, GateResult, GateStatus } from './gate/gate-result';
export { readFindings } from './gate/read-findings';
export { junitReport } from './gate/junit-report';
export { sarifReport } from './gate/sarif-report';
export { markdownReport } from './gate/markdown-report';
export { textSummary } from './gate/text-summary';
