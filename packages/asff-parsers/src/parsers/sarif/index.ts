import { FindingTypes } from '../../asff/finding-types';
import { sha256Hex } from '../../asff/sha256';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftSeverity, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { labelFromScore, parseScore, severityFrom } from '../severity';
import { firstLine } from '../text';

/** SARIF `level` -> label, used when no `security-severity` score is given. */
export const SARIF_LEVELS: SeverityTable = {
  error: 'HIGH',
  warning: 'MEDIUM',
  note: 'LOW',
  none: 'INFORMATIONAL',
};

/** Results of these kinds are not problems (SARIF 3.27.9): a passed check is not a finding. */
const NOT_FINDINGS = new Set(['pass', 'notApplicable']);

/** Drivers that report secrets: their matched text is treated as secret material. */
const SECRET_SCANNER = /gitleaks|trufflehog|detect-secrets|git-secrets|secret/i;

/** Result properties in which secret scanners put the matched secret. */
const SECRET_PROPERTIES = ['offender', 'secret', 'Secret', 'match', 'Match'];

/** Options for a SARIF-based parser. */
export interface SarifParserOptions {
  readonly id: string;
  readonly displayName: string;
  readonly formats: readonly string[];
  readonly detect: (head: ReportHead) => number | undefined;
  /** Extra ProductFields from a result (e.g. Snyk Code's priorityScore). */
  readonly extraFields?: (result: Record<string, unknown>) => Record<string, string>;
}

/**
 * A parser for SARIF 2.1.0 reports: one finding per result per location.
 * Severity comes from the rule's or result's `security-severity` (a CVSS
 * score, as GitHub, Grype and Snyk write it) when present, else from the
 * result's level (or the rule's default level).
 */
export function createSarifParser(options: SarifParserOptions): Parser {
  return {
    id: options.id,
    displayName: options.displayName,
    countingUnit:
      'one per result per location (a result without locations is one finding); results of kind pass/notApplicable are skipped; suppressed results ' +
      'are kept and marked Suppressed',
    formats: options.formats,
    severityTable: SARIF_LEVELS,
    detect: options.detect,
    parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
      return parseSarif(source, context, options);
    },
  };
}

/** True when the head looks like SARIF 2.1.0. */
export function looksLikeSarif(text: string): boolean {
  return /"runs"\s*:/.test(text) && (/"version"\s*:\s*"2\.1\.0"/.test(text) || /sarif-schema|sarif-2\.1\.0|"\$schema"\s*:\s*"[^"]*sarif/i.test(text));
}

/** Generic SARIF 2.1.0 from any tool. */
export const sarifParser: Parser = createSarifParser({
  id: 'sarif',
  displayName: 'SARIF',
  formats: ['SARIF 2.1.0 (any tool)'],
  detect: (head) => (looksLikeSarif(head.text) ? 0.6 : undefined),
});

interface RuleIndex {
  readonly driverName: string;
  readonly byId: Map<string, Record<string, unknown>>;
  readonly byIndex: readonly Record<string, unknown>[];
}

const ruleIndexes = new WeakMap<object, RuleIndex>();

function rulesOf(tool: unknown): RuleIndex {
  const record = asRecord(tool);
  const cached = ruleIndexes.get(record);
  if (cached !== undefined) return cached;
  const driver = asRecord(record.driver);
  const byIndex = asArray(driver.rules).map(asRecord);
  const byId = new Map<string, Record<string, unknown>>();
  for (const component of [driver, ...asArray(record.extensions).map(asRecord)]) {
    for (const rule of asArray(component.rules).map(asRecord)) {
      const id = asString(rule.id);
      if (id !== undefined && !byId.has(id)) byId.set(id, rule);
    }
  }
  const index = { driverName: asString(driver.name) ?? 'SARIF', byId, byIndex };
  ruleIndexes.set(record, index);
  return index;
}

async function* parseSarif(source: ReportSource, context: ParseContext, options: SarifParserOptions): AsyncGenerator<FindingDraft> {
  for await (const element of streamJsonElements(source, { elements: ['runs.*.results.*'], capture: ['runs.*.tool'] })) {
    const result = asRecord(element.value);
    if (NOT_FINDINGS.has(asString(result.kind) ?? 'fail')) continue;
    const rules = rulesOf(element.captured['runs.*.tool']);
    const locations = asArray(result.locations).map(asRecord);
    for (const location of locations.length > 0 ? locations : [{}]) {
      yield sarifFinding(result, location, rules, context, options);
    }
  }
}

function sarifFinding(
  result: Record<string, unknown>,
  location: Record<string, unknown>,
  rules: RuleIndex,
  context: ParseContext,
  options: SarifParserOptions,
): FindingDraft {
  const ruleRef = asRecord(result.rule);
  const ruleIndex = typeof result.ruleIndex === 'number' ? result.ruleIndex : typeof ruleRef.index === 'number' ? ruleRef.index : undefined;
  const declaredId = asString(result.ruleId) ?? asString(ruleRef.id);
  const rule = (declaredId !== undefined ? rules.byId.get(declaredId) : undefined)
    ?? (ruleIndex !== undefined ? rules.byIndex[ruleIndex] : undefined)
    ?? {};
  const message = messageText(asRecord(result.message), rule);
  const ruleId = declaredId ?? asString(rule.id) ?? `unidentified-${shortHash(message ?? '')}`;
  const physical = asRecord(location.physicalLocation);
  const uri = asString(asRecord(physical.artifactLocation).uri) ?? asString(asRecord(asArray(location.logicalLocations)[0]).fullyQualifiedName);
  const region = asRecord(physical.region);
  const line = asString(region.startLine);
  const column = asString(region.startColumn);
  const where = uri === undefined ? undefined : line === undefined ? uri : `${uri}:${line}`;
  const fingerprint = fingerprintOf(result);
  const secretScanner = SECRET_SCANNER.test(rules.driverName);
  const secrets = secretScanner ? secretValues(result, physical) : [];
  const title = asString(asRecord(rule.shortDescription).text) ?? firstLine(message) ?? asString(rule.name) ?? ruleId;
  const fullDescription = asString(asRecord(rule.fullDescription).text);
  const suppressions = asArray(result.suppressions).map(asRecord);
  const accepted = suppressions.filter((s) => (asString(s.status) ?? 'accepted') === 'accepted');
  // An external suppression (a decision kept outside the scanned files) outweighs an in-source one on the same result;
  // any other kind, or none, is taken as in source: the commit under scan may have written it.
  const suppression = accepted.find((s) => asString(s.kind) === 'external') ?? accepted[0];
  const helpUri = asString(rule.helpUri);
  const fixText = asArray(result.fixes)
    .map((f) => asString(asRecord(asRecord(f).description).text))
    .find((t) => t !== undefined);
  const repository = context.scan.repository;
  const resourceId = where === undefined ? undefined : repository ? `${repository}/${where}` : where;
  return {
    ruleId,
    locationKey: joinNonEmpty(
      [
        fingerprint !== undefined ? `${uri ?? ''}#${fingerprint}` : `${uri ?? ''}:${line ?? ''}:${column ?? ''}`,
        // Secret scanners report each commit and each secret at a spot separately.
        asString(asRecord(result.properties).commit),
        ...secrets.map((s) => shortHash(s)),
      ],
      '|',
    ),
    title,
    description: joinNonEmpty([message, fullDescription !== message ? fullDescription : undefined, where ? `Location: ${where}` : undefined], '\n\n'),
    severity: severityOf(result, rule),
    types: [/^CVE-\d{4}-\d+/i.test(ruleId) ? FindingTypes.CVE : secretScanner ? FindingTypes.SECRET : FindingTypes.CODE_VULNERABILITY],
    resources:
      resourceId === undefined
        ? []
        : [{
          type: 'Other',
          id: resourceId,
          details: { Other: { file: uri!, ...(line ? { line } : {}), ...(column ? { column } : {}), ...(repository ? { repository } : {}) } },
        }],
    remediation: fixText || helpUri ? { text: fixText, url: helpUri } : undefined,
    sourceUrl: helpUri,
    productFields: { Scanner: rules.driverName, ...(options.extraFields?.(result) ?? {}) },
    secrets,
    suppressed: suppression !== undefined ? {
      reason: asString(suppression.justification) ?? `suppressed (${asString(suppression.kind) ?? 'unknown kind'})`,
      kind: asString(suppression.kind) === 'external' ? 'external' : 'inSource',
    } : undefined,
  };
}

function severityOf(result: Record<string, unknown>, rule: Record<string, unknown>): DraftSeverity {
  const raw = asRecord(result.properties)['security-severity'] ?? asRecord(rule.properties)['security-severity'];
  const score = parseScore(raw);
  if (score !== undefined) return { label: labelFromScore(score), original: `security-severity ${String(raw)}` };
  const level = asString(result.level) ?? asString(asRecord(rule.defaultConfiguration).level) ?? 'warning';
  return severityFrom(SARIF_LEVELS, level, 'MEDIUM');
}

/** The message text with `{0}`-style placeholders filled from its arguments; rule message strings as fallback. */
function messageText(message: Record<string, unknown>, rule: Record<string, unknown>): string | undefined {
  const args = asArray(message.arguments).map((a) => asString(a) ?? '');
  const template = asString(message.text)
    ?? asString(asRecord(asRecord(rule.messageStrings)[asString(message.id) ?? '']).text)
    ?? asString(message.markdown);
  return template?.replace(/\{(\d+)\}/g, (whole, n: string) => args[Number(n)] ?? whole);
}

/** A stable identity from the result's fingerprints, if the tool wrote any (values may be strings or `{value}` objects). */
function fingerprintOf(result: Record<string, unknown>): string | undefined {
  const entries = [...Object.entries(asRecord(result.fingerprints)), ...Object.entries(asRecord(result.partialFingerprints))];
  if (entries.length === 0) return undefined;
  const normalised = entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).sort();
  return shortHash(normalised.join('\n'));
}

function secretValues(result: Record<string, unknown>, physical: Record<string, unknown>): string[] {
  const properties = asRecord(result.properties);
  const values = SECRET_PROPERTIES.map((k) => asString(properties[k]));
  values.push(asString(asRecord(asRecord(physical.region).snippet).text)?.trim());
  values.push(asString(asRecord(asRecord(physical.contextRegion).snippet).text)?.trim());
  return values.filter((v): v is string => v !== undefined && v.length > 0);
}

function shortHash(text: string): string {
  return sha256Hex(text).slice(0, 16);
}
