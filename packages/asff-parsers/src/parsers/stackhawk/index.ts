import { FindingTypes } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable, ToolSuppression } from '../parser';
import { severityFrom } from '../severity';

/** HawkScan writes High, Medium, Low (and Informational for passive notes). */
const STACKHAWK_SEVERITIES: SeverityTable = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFORMATIONAL',
  info: 'INFORMATIONAL',
};

/** Paths (endpoints) listed as Resources; the rest are counted in ProductFields. */
const MAX_PATH_RESOURCES = 32;

/** The triage states StackHawk gives each path of a finding. */
const FALSE_POSITIVE = 'FALSE_POSITIVE';
const RISK_ACCEPTED = 'RISK_ACCEPTED';

/** One plugin's finding on one host, gathered over the report's entries for it. */
interface PluginGroup {
  readonly finding: Record<string, unknown>;
  readonly paths: Map<string, Record<string, unknown>>;
}

/** StackHawk's "scan completed" webhook event: `{service: "StackHawk", scanCompleted{scan, completedScanStats, findings[]}}`. */
export const stackhawkParser: Parser = {
  id: 'stackhawk',
  displayName: 'StackHawk',
  countingUnit:
    'one per plugin (pluginId) per host: HawkScan can list a plugin twice, its paths are merged; the paths (method and URL path) become Resources; ' +
    'a finding whose every path is triaged FALSE_POSITIVE or RISK_ACCEPTED is imported suppressed',
  formats: ['StackHawk scan-completed webhook JSON (HawkScan 2.x)'],
  severityTable: STACKHAWK_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (/"service"\s*:\s*"StackHawk"/.test(text) && /"scanCompleted"\s*:/.test(text)) return 0.95;
    if (/"scanCompleted"\s*:/.test(text) && /"hawkscanVersion"\s*:/.test(text)) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseStackHawk(source, context);
  },
};

async function* parseStackHawk(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // An event is a few hundred findings at most (one per plugin): they are gathered to merge a plugin listed twice.
  const groups = new Map<string, PluginGroup>();
  let scan: Record<string, unknown> = {};
  const selection = { elements: ['scanCompleted.findings.*'], capture: ['service', 'scanCompleted.scan'] };
  for await (const element of streamJsonElements(source, selection)) {
    const service = asString(element.captured.service);
    if (service !== undefined && service !== 'StackHawk') {
      throw new MalformedInputError('not a StackHawk report: the event\'s service is not StackHawk', 'unrecognised');
    }
    scan = asRecord(element.captured['scanCompleted.scan']);
    const finding = asRecord(element.value);
    const pluginId = asString(finding.pluginId) ?? asString(finding.pluginName) ?? 'unknown-plugin';
    const key = JSON.stringify([pluginId, asString(finding.host) ?? '']);
    let group = groups.get(key);
    if (group === undefined) {
      group = { finding, paths: new Map() };
      groups.set(key, group);
    }
    for (const path of asArray(finding.paths).map(asRecord)) {
      const pathKey = `${asString(path.method) ?? ''} ${asString(path.path) ?? ''}`;
      if (!group.paths.has(pathKey)) group.paths.set(pathKey, path);
    }
  }
  for (const group of groups.values()) yield stackhawkFinding(group, scan, context);
}

function stackhawkFinding(group: PluginGroup, scan: Record<string, unknown>, context: ParseContext): FindingDraft {
  const f = group.finding;
  const pluginId = asString(f.pluginId) ?? asString(f.pluginName) ?? 'unknown-plugin';
  const name = asString(f.pluginName) ?? `StackHawk plugin ${pluginId}`;
  const host = asString(f.host) ?? asString(scan.application) ?? context.scan.repository ?? 'unknown-host';
  const paths = [...group.paths.values()];
  const statuses = paths.map((p) => asString(p.status));
  const resources: DraftResource[] = paths.slice(0, MAX_PATH_RESOURCES).map((p) => {
    const method = asString(p.method);
    const status = asString(p.status);
    return {
      type: 'Other',
      id: `${host}${asString(p.path) ?? ''}`,
      ...(method || status ? { details: { Other: { ...(method ? { method } : {}), ...(status ? { status } : {}) } } } : {}),
    };
  });
  const category = asString(f.category);
  return {
    ruleId: pluginId,
    locationKey: host,
    title: `${name} (${host})`,
    description: joinNonEmpty([`${name}${category ? ` (${category})` : ''}: ${paths.length} path(s) on ${host}.`, describePaths(paths)], '\n\n'),
    severity: severityFrom(STACKHAWK_SEVERITIES, f.severity),
    types: [FindingTypes.WEB_APPLICATION_VULNERABILITY],
    resources: resources.length > 0 ? resources : [{ type: 'Other', id: host }],
    sourceUrl: asString(f.findingURL),
    productFields: {
      PluginId: pluginId,
      Host: host,
      Paths: String(paths.length),
      ...(category ? { Category: category } : {}),
      ...(asString(scan.application) ? { Application: asString(scan.application)! } : {}),
      ...(asString(scan.env) ? { Environment: asString(scan.env)! } : {}),
      ...(asString(scan.hawkscanVersion) ? { HawkScanVersion: asString(scan.hawkscanVersion)! } : {}),
    },
    suppressed: triage(statuses),
  };
}

/** Suppressed when StackHawk's triage closed every path (a path still NEW or open keeps the finding active). */
function triage(statuses: readonly (string | undefined)[]): ToolSuppression | undefined {
  if (statuses.length === 0 || !statuses.every((s) => s === FALSE_POSITIVE || s === RISK_ACCEPTED)) return undefined;
  // Triage happens in StackHawk's platform, not in the scanned application: an external suppression.
  if (statuses.every((s) => s === FALSE_POSITIVE)) return { reason: 'every path triaged as a false positive in StackHawk', kind: 'external' };
  if (statuses.every((s) => s === RISK_ACCEPTED)) return { reason: 'every path triaged as risk accepted in StackHawk', kind: 'external' };
  return { reason: 'every path triaged in StackHawk as a false positive or risk accepted', kind: 'external' };
}

/** The first paths, one per line, with their triage state. */
function describePaths(paths: readonly Record<string, unknown>[]): string | undefined {
  if (paths.length === 0) return undefined;
  const lines = paths.slice(0, 10).map(
    (p) => `- ${joinNonEmpty([asString(p.method), asString(p.path)], ' ')}${asString(p.status) ? ` (${asString(p.status)})` : ''}`,
  );
  if (paths.length > 10) lines.push(`- and ${paths.length - 10} more`);
  return lines.join('\n');
}
