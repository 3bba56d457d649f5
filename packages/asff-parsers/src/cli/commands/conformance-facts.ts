import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

/**
 * Field-level conformance: the corpus' `facts.tsv` asserts values of named
 * findings (`dd:` as DefectDojo normalised them, `raw:` straight from the
 * report). Counts alone let content bugs through (a wrong severity table, a
 * file path that never reaches the finding), so conformance also checks that
 * each named finding exists in the conversion with its severity, and that its
 * title, rule or vulnerability id, CWE, CVE, component, file path and line are
 * carried by the finding.
 */

/** One row of `facts.tsv`: tool (folder), file, index (the finding's position in DefectDojo's list, or `*`), field, value. */
export interface FactRow {
  readonly folder: string;
  readonly file: string;
  readonly index: string;
  readonly field: string;
  readonly value: string;
}

/** How the facts of one report fared. */
export interface FactsResult {
  /** Facts that were checked. */
  readonly checked: number;
  /** Facts that did not hold, each as one short phrase. */
  readonly misses: readonly string[];
}

/** The fields checked; anything else (raw report paths, DefectDojo bookkeeping) is not this project's to match. */
const SEVERITY_FIELDS = new Set(['dd:severity', 'scb:severity']);
/** Values the finding must carry somewhere (title, description, ids, resources, product fields). */
const CARRIED_FIELDS = new Set([
  'dd:title', 'scb:name', 'dd:cve', 'dd:vuln_id_from_tool', 'dd:cwe', 'dd:component_name', 'dd:component', 'dd:file_path', 'dd:line', 'dd:cvssv3',
]);
/** Titles, worded by each project. */
const TITLE_FIELDS = new Set(['dd:title', 'scb:name']);
/** Flags that say the tool closed or accepted the finding: it must be imported suppressed or archived. */
const SETTLED_FIELDS = new Set(['dd:false_p', 'dd:is_mitigated', 'dd:risk_accepted']);
/** A list of every finding's file path (index `*`). */
const FILE_PATHS_FIELD = 'dd:file_paths (sorted)';

/** DefectDojo's severity words as Security Hub labels. */
const LABELS: Readonly<Record<string, string>> = {
  critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW', info: 'INFORMATIONAL', informational: 'INFORMATIONAL',
};

/** Parses facts.tsv (header: tool, file, index, field, value). */
export function parseFacts(text: string): FactRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines.shift() ?? '').split('\t');
  const [toolAt, fileAt, indexAt, fieldAt, valueAt] = ['tool', 'file', 'index', 'field', 'value'].map((name) => header.indexOf(name));
  if ([toolAt, fileAt, indexAt, fieldAt, valueAt].some((at) => at < 0)) return [];
  return lines.map((line) => {
    const cells = line.split('\t');
    return {
      folder: cells[toolAt] ?? '',
      file: cells[fileAt] ?? '',
      index: (cells[indexAt] ?? '').trim(),
      field: (cells[fieldAt] ?? '').trim(),
      value: (cells[valueAt] ?? '').trim(),
    };
  });
}

/** True when this project checks the fact (the others are listed by the corpus for people, not for conversions). */
export function isCheckedFact(fact: FactRow): boolean {
  if (fact.field === FILE_PATHS_FIELD) return true;
  if (SETTLED_FIELDS.has(fact.field)) return fact.value.toLowerCase() === 'true';
  return SEVERITY_FIELDS.has(fact.field) || CARRIED_FIELDS.has(fact.field);
}

/**
 * Checks the facts of one report against its findings. The facts of one index
 * describe one finding; it is looked up as the finding that satisfies most of
 * them (DefectDojo's order is not this project's), and the facts it does not
 * satisfy are the misses.
 */
export function checkFacts(facts: readonly FactRow[], findings: readonly AwsSecurityFinding[]): FactsResult {
  const checked = facts.filter(isCheckedFact);
  const texts = findings.map((f) => JSON.stringify(f).toLowerCase());
  const misses: string[] = [];
  const byIndex = new Map<string, FactRow[]>();
  for (const fact of checked) {
    if (fact.index === '*') {
      misses.push(...listMisses(fact, texts));
      continue;
    }
    byIndex.set(fact.index, [...(byIndex.get(fact.index) ?? []), fact]);
  }
  for (const [index, group] of byIndex) {
    let best: { held: number; missed: FactRow[] } | undefined;
    for (let i = 0; i < findings.length; i++) {
      const missed = group.filter((fact) => !holds(fact, findings[i], texts[i]));
      if (best === undefined || group.length - missed.length > best.held) best = { held: group.length - missed.length, missed };
      if (missed.length === 0) break;
    }
    const missed = best?.missed ?? group;
    for (const fact of missed) misses.push(`#${index} ${fact.field.replace(/^\w+:/, '')} ${describe(fact, findings.length === 0)}`);
  }
  return { checked: checked.length, misses };
}

function holds(fact: FactRow, finding: AwsSecurityFinding, text: string): boolean {
  if (SEVERITY_FIELDS.has(fact.field)) return finding.Severity?.Label === LABELS[fact.value.toLowerCase()];
  if (SETTLED_FIELDS.has(fact.field)) return finding.ProductFields?.Suppressed !== undefined || finding.RecordState === 'ARCHIVED';
  return carried(fact, text);
}

/**
 * The value's words (three characters or more) are somewhere in the finding:
 * each project words its titles its own way, the information in them must not
 * be lost. A title needs half its words (DefectDojo composes titles with glue
 * of its own: `Hard Coded <rule>`, `None:None | <id>`), any other value all.
 */
function carried(fact: FactRow, text: string): boolean {
  let value = fact.value.toLowerCase();
  if (fact.field === 'dd:cwe') return new RegExp(`cwe-${value.replace(/\D/g, '')}(?!\\d)`).test(text);
  if (fact.field === 'dd:line') return text.includes(`:${value}"`) || text.includes(`"line":"${value}"`);
  // DefectDojo prefixes a bare vector with its version; the metrics are the fact.
  if (fact.field === 'dd:cvssv3') value = value.replace(/^cvss:\d\.\d\//, '');
  if (fact.field === 'dd:cvssv3') return text.includes(value);
  const words = value.split(/[^a-z0-9.]+/).filter((w) => w.length >= 3);
  if (words.length === 0) return text.includes(value);
  const found = words.filter((word) => text.includes(word)).length;
  return TITLE_FIELDS.has(fact.field) ? found * 2 >= words.length : found === words.length;
}

function listMisses(fact: FactRow, texts: readonly string[]): string[] {
  return fact.value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '' && !texts.some((t) => t.includes(v.toLowerCase())))
    .map((v) => `file path ${v} in no finding`);
}

function describe(fact: FactRow, noFindings: boolean): string {
  if (noFindings) return `${fact.value} (no finding)`;
  if (SETTLED_FIELDS.has(fact.field)) return 'not suppressed or archived';
  if (SEVERITY_FIELDS.has(fact.field)) return `expected ${LABELS[fact.value.toLowerCase()] ?? fact.value}`;
  return `'${fact.value.length > 60 ? `${fact.value.slice(0, 57)}...` : fact.value}' not carried`;
}
