import type { Cvss, ResourceDetails, SoftwarePackage } from '@aws-sdk/client-securityhub';
import type { ScanContext } from '../asff/scan-context';
import type { ReportSource } from '../streams/report-source';

/**
 * The contract every scanner parser implements. One scanner = one file under
 * `src/parsers/`, registered once in `registry.ts`. A parser turns a report
 * (a byte stream) into tool-neutral `FindingDraft`s; the ASFF builder then
 * applies every Security Hub rule (Id, ProductArn, limits, redaction) the same
 * way for all tools, so a parser never builds ASFF itself.
 */
export interface Parser {
  /** The tool id used on the command line (`asff convert --tool <id>`): lower-case, `[a-z0-9-]+`. */
  readonly id: string;
  /** The scanner's human name, e.g. `OWASP ZAP`. Becomes ProductName. */
  readonly displayName: string;
  /**
   * What one finding is, in words (e.g. "one per alert per site; the alert's
   * instances become Resources"). Printed by `asff tools` and by conformance
   * when a count differs from another tool's counting.
   */
  readonly countingUnit: string;
  /** The report variants this parser reads, e.g. `['traditional JSON', 'XML', 'XML plus']`. */
  readonly formats: readonly string[];
  /**
   * The documented mapping from the tool's raw severity to Severity.Label
   * (keys lower-case; lookups are case-insensitive). Rendered in the docs.
   */
  readonly severityTable: SeverityTable;
  /**
   * Recognise a report from its first bytes, for `--tool auto`. Return a
   * confidence in (0, 1] when the head looks like this tool's report, else
   * undefined. Must be cheap and must not claim another tool's reports: a
   * generic format (SARIF) answers lower than a tool that emits that format
   * with its own marker (Snyk Code SARIF).
   */
  detect(head: ReportHead): number | undefined;
  /**
   * Read the report and yield one draft per finding, streaming: never hold
   * the whole report in memory. Throw `MalformedInputError` (or let the
   * streaming readers throw it) when the report is not what this parser reads.
   */
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft>;
}

/** The start of a report, for detection. */
export interface ReportHead {
  /** The first bytes (up to `DETECT_HEAD_BYTES`) decoded as UTF-8. */
  readonly text: string;
  /** The file name when known (`-` for standard input). */
  readonly fileName?: string;
  /** True when `text` is the whole report. */
  readonly complete: boolean;
}

/** What a parser may know about the run besides the report bytes. */
export interface ParseContext {
  /** The report's file name (`-` for standard input), for messages. */
  readonly fileName: string;
  /** The scan scope given on the command line. */
  readonly scan: ScanContext;
}

/** The five ASFF severity labels. */
export type SeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** A per-tool severity table: lower-case raw value -> label. */
export type SeverityTable = Readonly<Record<string, SeverityLabel>>;

/** The severity of one finding: the label and the tool's own value. */
export interface DraftSeverity {
  readonly label: SeverityLabel;
  /** The tool's raw value as it appeared in the report (Severity.Original). */
  readonly original: string;
}

/** A thing a finding is about. */
export interface DraftResource {
  /** ASFF resource type (`Container`, `AwsEcrContainerImage`, `Other`, ...). */
  readonly type: string;
  /** What names it: image@digest, URL, `repository/path:line`, package URL. */
  readonly id: string;
  /** Optional ASFF resource details. */
  readonly details?: ResourceDetails;
}

/** A known vulnerability (SCA findings), mapped to ASFF Vulnerabilities[]. */
export interface DraftVulnerability {
  /** CVE, GHSA, SNYK-... id. */
  readonly id: string;
  readonly vulnerablePackages?: readonly SoftwarePackage[];
  readonly cvss?: readonly Cvss[];
  readonly relatedVulnerabilities?: readonly string[];
  readonly vendor?: { readonly name: string; readonly url?: string; readonly severity?: string };
  readonly referenceUrls?: readonly string[];
  readonly fixAvailable?: 'YES' | 'NO' | 'PARTIAL';
  readonly epssScore?: number;
}

/**
 * One finding, tool-neutral. The builder derives everything else (Id,
 * ProductArn, GeneratorId, timestamps, limits, redaction).
 */
/**
 * A suppression the tool reports. `kind` says who could make it, in SARIF's words: `inSource` when it is written
 * in the scanned content itself (`# nosemgrep`, `#checkov:skip=`, `#tfsec:ignore`, a committed audit verdict),
 * so the commit under scan can make it; `external` when it lives outside that content (a triage decision in the
 * tool's platform, a suppression file or exception list the scan is given, an account's suppression rules).
 * The gate honours `inSource` ones only when the policy says so (`gate.inSourceSuppressions: honour`).
 */
export interface ToolSuppression {
  readonly reason: string;
  readonly kind: SuppressionKind;
}

/** ProductFields.SuppressionKind of a suppressed finding. */
export type SuppressionKind = 'inSource' | 'external';

export interface FindingDraft {
  /** The rule or vulnerability id (`CVE-2024-1234`, `10021`, `js/sql-injection`). Part of the Id. */
  readonly ruleId: string;
  /**
   * What distinguishes this finding from another of the same rule in one
   * report: package@version, file:line, site URL... Part of the Id. Two
   * findings of one report with equal (ruleId, locationKey) are the same
   * finding as far as Security Hub is concerned, so make it specific enough
   * for your counting unit, and stable across builds (no timestamps, no
   * indexes).
   */
  readonly locationKey: string;
  readonly title: string;
  readonly description: string;
  readonly severity: DraftSeverity;
  /** ASFF types, `namespace/category/classifier` (see `asff/finding-types.ts`). */
  readonly types: readonly string[];
  /** At least one; when a parser has nothing better the builder uses the scanned repository or image. */
  readonly resources: readonly DraftResource[];
  readonly vulnerabilities?: readonly DraftVulnerability[];
  readonly remediation?: { readonly text?: string; readonly url?: string };
  /** Extra key/values (not `aws/`-prefixed); the builder adds tool and scope fields. */
  readonly productFields?: Readonly<Record<string, string>>;
  /** A link to the finding in the tool or its documentation (SourceUrl). */
  readonly sourceUrl?: string;
  /** When the tool first saw it (ISO 8601), if the report says. */
  readonly firstObservedAt?: string;
  readonly lastObservedAt?: string;
  /**
   * Secret values this finding must never carry. The builder replaces every
   * occurrence anywhere in the finding with a short fingerprint.
   */
  readonly secrets?: readonly string[];
  /** The tool reports the finding as suppressed / accepted, with its reason and where the decision was written. */
  readonly suppressed?: ToolSuppression;
  /** The tool reports the finding as closed/fixed: imported as RecordState ARCHIVED. */
  readonly closed?: boolean;
}
