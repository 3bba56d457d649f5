import { FindingTypes } from '../../asff/finding-types';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, DraftSeverity, FindingDraft, ParseContext, Parser, ReportHead, SeverityLabel, SeverityTable } from '../parser';

/**
 * Kubescape rates a control by its scoreFactor (1-10) and names the bands
 * itself (kubescape's ControlSeverityToString): 9-10 Critical, 7-8 High, 4-6
 * Medium, 1-3 Low. The table documents the names; the score picks the band.
 */
const KUBESCAPE_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
};

/** A control missing from summaryDetails (a report cut short) is unrated: MEDIUM, so a gate still sees it. */
const UNRATED: SeverityLabel = 'MEDIUM';

/** Rule statuses that are findings; `excluded` (kubescape exceptions) is imported suppressed. */
const FAILED = 'failed';
const EXCLUDED = 'excluded';

/** Fix paths listed per finding. */
const MAX_FIX_PATHS = 10;

/** What is kept of a scanned Kubernetes object: never its spec (ConfigMaps and Secrets carry values). */
interface ScannedResource {
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly apiVersion?: string;
  readonly file?: string;
}

interface ControlSummary {
  readonly name?: string;
  readonly scoreFactor?: number;
  readonly category?: string;
}

/** One failed rule of one control on one resource, with the little it needs to become a finding. */
interface FailedRule {
  readonly resourceId: string;
  readonly controlId: string;
  readonly controlName?: string;
  readonly rule: string;
  readonly excluded: boolean;
  readonly fixPaths: readonly string[];
}

/** Kubescape `scan --format json`: `{summaryDetails{controls{}}, resources[], results[{resourceID, controls[{controlID, rules[]}]}]}`. */
export const kubescapeParser: Parser = {
  id: 'kubescape',
  displayName: 'Kubescape',
  countingUnit:
    'one per failed rule of a failed (or status-less) control per resource; passed rules and controls are not findings, ' +
    "excluded ones (kubescape exceptions) are imported suppressed; the resource's object is never copied",
  formats: ['kubescape scan --format json (v2 and v3; with or without per-control status)'],
  severityTable: KUBESCAPE_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text)) return undefined;
    if (/"summaryDetails"\s*:/.test(text) && /"controlID"\s*:/.test(text)) return 0.95;
    // Resources (with their whole objects) may come first and fill the head before any control is named.
    if (/"resourceID"\s*:/.test(text) && /"generationTime"\s*:/.test(text) && /"(customerGUID|clusterAPIServerInfo)"\s*:/.test(text)) return 0.9;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseKubescape(source, context);
  },
};

async function* parseKubescape(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // Kubescape writes summaryDetails (the severities) before or after results, and resources (the names) anywhere:
  // failed rules, resource names and control scores are kept (a few strings each) and joined at the end.
  const failed: FailedRule[] = [];
  const resources = new Map<string, ScannedResource>();
  const controls = new Map<string, ControlSummary>();
  const selection = { elements: ['results.*', 'resources.*', 'summaryDetails.controls.*'] };
  for await (const element of streamJsonElements(source, selection)) {
    const value = asRecord(element.value);
    if (element.selector === 'resources.*') {
      const id = asString(value.resourceID);
      if (id !== undefined) resources.set(id, scannedResource(value));
    } else if (element.selector === 'summaryDetails.controls.*') {
      const id = asString(value.controlID) ?? String(element.path[2]);
      controls.set(id, { name: asString(value.name), scoreFactor: asNumber(value.scoreFactor), category: asString(asRecord(value.category).name) });
    } else {
      failed.push(...failedRules(value));
    }
  }
  for (const rule of failed) yield kubescapeFinding(rule, resources.get(rule.resourceId), controls.get(rule.controlId), context);
}

function scannedResource(entry: Record<string, unknown>): ScannedResource {
  const object = asRecord(entry.object);
  const metadata = asRecord(object.metadata);
  const source = asRecord(entry.source);
  // `sourcePath` is `file.yaml` or `file.yaml:<document index>`; the source's relativePath is the repository path.
  const file = asString(source.relativePath) ?? asString(object.sourcePath)?.replace(/:\d+$/, '');
  return {
    kind: asString(object.kind),
    name: asString(metadata.name) ?? asString(object.name),
    namespace: asString(metadata.namespace) ?? asString(object.namespace),
    apiVersion: asString(object.apiVersion),
    file: file === undefined ? undefined : portablePath(file),
  };
}

function failedRules(result: Record<string, unknown>): FailedRule[] {
  const resourceId = asString(result.resourceID) ?? 'unknown-resource';
  const found: FailedRule[] = [];
  for (const control of asArray(result.controls).map(asRecord)) {
    const controlStatus = statusOf(control.status);
    // Kubescape before v2.0.150 wrote no control status: its rules decide.
    if (controlStatus !== undefined && controlStatus !== FAILED && controlStatus !== EXCLUDED) continue;
    const controlId = asString(control.controlID) ?? 'unknown-control';
    for (const rule of asArray(control.rules).map(asRecord)) {
      const status = statusOf(rule.status);
      if (status !== FAILED && status !== EXCLUDED) continue;
      const fixPaths = asArray(rule.paths)
        .map(asRecord)
        .map((p) => asString(asRecord(p.fixPath).path) ?? asString(p.failedPath) ?? asString(p.reviewPath) ?? asString(p.deletePath))
        .filter((p): p is string => p !== undefined);
      found.push({
        resourceId,
        controlId,
        controlName: asString(control.name),
        rule: asString(rule.name) ?? 'unknown-rule',
        excluded: status === EXCLUDED || controlStatus === EXCLUDED,
        fixPaths,
      });
    }
  }
  return found;
}

/** A status is a word (`failed`) or an object (`{status: "failed", subStatus}`). */
function statusOf(raw: unknown): string | undefined {
  return (asString(raw) ?? asString(asRecord(raw).status))?.toLowerCase();
}

function kubescapeFinding(
  rule: FailedRule,
  resource: ScannedResource | undefined,
  control: ControlSummary | undefined,
  context: ParseContext,
): FindingDraft {
  const controlName = rule.controlName ?? control?.name ?? rule.controlId;
  const object = describeResource(resource, rule.resourceId);
  const resources: DraftResource[] = [
    {
      type: 'Other',
      id: resource?.file ? codeLocationId(context.scan, resource.file) : rule.resourceId,
      details: {
        Other: {
          resourceID: rule.resourceId,
          ...(resource?.kind ? { kind: resource.kind } : {}),
          ...(resource?.name ? { name: resource.name } : {}),
          ...(resource?.namespace ? { namespace: resource.namespace } : {}),
        },
      },
    },
  ];
  const shownPaths = rule.fixPaths.slice(0, MAX_FIX_PATHS);
  return {
    ruleId: `${rule.controlId}/${rule.rule}`,
    locationKey: rule.resourceId,
    title: `${rule.controlId} ${controlName} (${object})`,
    description: joinNonEmpty(
      [
        `Kubescape control ${rule.controlId} "${controlName}" failed rule ${rule.rule} on ${object}${resource?.file ? ` in ${resource.file}` : ''}.`,
        shownPaths.length ? `Fix at: ${shownPaths.join(', ')}${rule.fixPaths.length > shownPaths.length ? ' …' : ''}` : undefined,
      ],
      '\n\n',
    ),
    severity: scoreSeverity(control?.scoreFactor),
    types: [FindingTypes.CONFIGURATION],
    resources,
    remediation: { url: `https://hub.armosec.io/docs/${rule.controlId.toLowerCase()}` },
    sourceUrl: `https://hub.armosec.io/docs/${rule.controlId.toLowerCase()}`,
    productFields: {
      ControlId: rule.controlId,
      Rule: rule.rule,
      ...(control?.category ? { Category: control.category } : {}),
      ...(control?.scoreFactor !== undefined ? { ScoreFactor: String(control.scoreFactor) } : {}),
      ...(resource?.file ? { File: resource.file } : {}),
    },
    suppressed: rule.excluded ? { reason: 'excluded by a kubescape exception', kind: 'external' } : undefined,
  };
}

function describeResource(resource: ScannedResource | undefined, resourceId: string): string {
  if (resource?.kind === undefined || resource.name === undefined) return resourceId;
  return `${resource.kind} ${resource.namespace ? `${resource.namespace}/` : ''}${resource.name}`;
}

/** Kubescape's own bands over scoreFactor. */
function scoreSeverity(scoreFactor: number | undefined): DraftSeverity {
  if (scoreFactor === undefined) return { label: UNRATED, original: 'unrated' };
  const original = `scoreFactor ${scoreFactor}`;
  if (scoreFactor >= 9) return { label: 'CRITICAL', original };
  if (scoreFactor >= 7) return { label: 'HIGH', original };
  if (scoreFactor >= 4) return { label: 'MEDIUM', original };
  if (scoreFactor >= 1) return { label: 'LOW', original };
  return { label: 'INFORMATIONAL', original };
}
