import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { describeJsonSyntaxError } from '../../streams/json-syntax';
import { streamLines } from '../../streams/lines';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { severityFrom } from '../severity';

/** Falco priorities (syslog levels). */
const FALCO_SEVERITIES: SeverityTable = {
  emergency: 'CRITICAL',
  alert: 'CRITICAL',
  critical: 'CRITICAL',
  error: 'HIGH',
  warning: 'MEDIUM',
  notice: 'LOW',
  informational: 'INFORMATIONAL',
  info: 'INFORMATIONAL',
  debug: 'INFORMATIONAL',
};

/** Falco's `mitre_*` tactic tags and their ASFF types. */
const TACTICS: Readonly<Record<string, string>> = {
  mitre_initial_access: 'TTPs/Initial Access',
  mitre_execution: 'TTPs/Execution',
  mitre_persistence: 'TTPs/Persistence',
  mitre_privilege_escalation: 'TTPs/Privilege Escalation',
  mitre_defense_evasion: 'TTPs/Defense Evasion',
  mitre_credential_access: 'TTPs/Credential Access',
  mitre_discovery: 'TTPs/Discovery',
  mitre_lateral_movement: 'TTPs/Lateral Movement',
  mitre_collection: 'TTPs/Collection',
  mitre_command_and_control: 'TTPs/Command and Control',
  mitre_exfiltration: 'Effects/Data Exfiltration',
};

/** Distinct alert outputs quoted per finding; the count says how many alerts there were. */
const MAX_EXAMPLES = 5;

/** Output fields copied to ProductFields, leaving room within the 50 for the builder's own. */
const MAX_ALERT_FIELDS = 30;

/** The names of arguments and variables that carry credentials (`--password=...`, `TOKEN=...`). */
const CREDENTIAL_NAME = /password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key/i;

/**
 * Falco alerts with `json_output: true`: one JSON object per line (as Falco
 * and falcosidekick write them), a JSON array of alerts, or CloudWatch Logs
 * `filter-log-events` output whose messages are alerts (raw or wrapped by
 * Fluent Bit as `{"log": "<alert>"}`).
 */
export const falcoParser: Parser = {
  id: 'falco',
  displayName: 'Falco',
  countingUnit:
    'one per rule per workload (Kubernetes pod, else container, else host): repeated alerts of a rule on one workload are one finding with their ' +
    'count, first and last time and a few distinct outputs',
  formats: ['Falco JSON alerts (one per line)', 'JSON array of Falco alerts', 'CloudWatch Logs filter-log-events of Falco alerts'],
  severityTable: FALCO_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    const alertKeys = ['"rule"', '"priority"', '"output"'].every((k) => text.includes(k));
    if (/^\s*[[{]/.test(text) && alertKeys && (text.includes('"output_fields"') || text.includes('"time"'))) return 0.9;
    // A pod log: Falco's text messages first, JSON alerts on later lines.
    // `[^\S\n]*`, not `\s*`: a run of newlines would be rescanned from each of them.
    if (alertKeys && text.includes('"output_fields"') && /\n[^\S\n]*\{\s*"(hostname|output|priority|rule|time)"/.test(text)) return 0.8;
    // A CloudWatch Logs export: the alerts are JSON strings inside the events, so their quotes are escaped.
    const cloudWatchExport = /^\s*\{/.test(text) && text.includes('"events"') && text.includes('"logStreamName"');
    if (cloudWatchExport && text.includes('\\"priority\\"') && text.includes('\\"rule\\"')) return 0.85;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseFalco(source, context);
  },
};

/** The alerts of one rule on one workload. */
interface AlertGroup {
  readonly rule: string;
  readonly first: Record<string, unknown>;
  readonly workload: Workload;
  readonly examples: string[];
  readonly tags: Set<string>;
  readonly secrets: Set<string>;
  count: number;
  firstTime?: number;
  lastTime?: number;
  priority: unknown;
  priorityRank: number;
}

interface Workload {
  readonly key: string;
  readonly describe: string;
  readonly resources: DraftResource[];
  readonly behaviour: 'Container' | 'Process' | 'User';
}

async function* parseFalco(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8').replace(/^\uFEFF/, '');
  // Memory follows the number of (rule, workload) pairs, not the number of alerts.
  const groups = new Map<string, AlertGroup>();
  for await (const alert of readAlerts(peeked.source, head)) addAlert(groups, alert);
  for (const group of groups.values()) yield groupFinding(group, context);
}

async function* readAlerts(source: ReportSource, head: string): AsyncGenerator<Record<string, unknown>> {
  if (/^\s*\[/.test(head)) {
    for await (const element of streamJsonElements(source, { elements: ['*'] })) {
      yield requireAlert(element.value, `alert ${Number(element.path[0]) + 1}`);
    }
    return;
  }
  if (/^\s*\{\s*"events"\s*:/.test(head)) {
    for await (const element of streamJsonElements(source, { elements: ['events.*.message'] })) {
      yield fromLogMessage(element.value, `event ${Number(element.path[1]) + 1}`);
    }
    return;
  }
  // A captured pod log (`kubectl logs ds/falco`) interleaves Falco's own text messages with the alerts:
  // those lines are skipped, but a log with no alert at all is not a Falco alert log.
  let alerts = 0;
  let textLines = 0;
  for await (const line of streamLines(source)) {
    const text = line.text.trim();
    if (text === '') continue;
    if (!text.startsWith('{')) {
      textLines++;
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Never V8's message: it quotes the line around the error.
      const leading = Buffer.byteLength(line.text.slice(0, line.text.length - line.text.trimStart().length), 'utf8');
      throw new MalformedInputError(`line ${line.number} is not a JSON Falco alert: ${describeJsonSyntaxError(text, leading, ' of the line')}`);
    }
    alerts++;
    yield requireAlert(value, `line ${line.number}`);
  }
  if (alerts === 0 && textLines > 0) throw new MalformedInputError('not a Falco alert log: no JSON alert in it', 'unrecognised');
}

/** A CloudWatch message is the alert itself, or Fluent Bit's `{"log": "<alert>"}`. */
function fromLogMessage(message: unknown, where: string): Record<string, unknown> {
  let value: unknown = message;
  for (let depth = 0; depth < 2 && typeof value === 'string'; depth++) {
    try {
      value = JSON.parse(value);
    } catch {
      throw new MalformedInputError(`${where}: the log message is not a JSON Falco alert`, 'unrecognised');
    }
    const log = asRecord(value).log;
    if (typeof log === 'string') value = log;
  }
  return requireAlert(value, where);
}

function requireAlert(value: unknown, where: string): Record<string, unknown> {
  const alert = asRecord(value);
  if (asString(alert.rule) === undefined || (alert.priority === undefined && alert.output === undefined)) {
    throw new MalformedInputError(`not a Falco alert at ${where}: expected rule, priority and output`, 'unrecognised');
  }
  return alert;
}

function addAlert(groups: Map<string, AlertGroup>, alert: Record<string, unknown>): void {
  const rule = asString(alert.rule)!;
  const fields = asRecord(alert.output_fields);
  const workload = workloadOf(alert, fields);
  const key = JSON.stringify([rule, asString(alert.source) ?? 'syscall', workload.key]);
  let group = groups.get(key);
  if (group === undefined) {
    group = {
      rule,
      first: alert,
      workload,
      examples: [],
      tags: new Set(),
      secrets: new Set(),
      count: 0,
      priority: alert.priority,
      priorityRank: rank(alert.priority),
    };
    groups.set(key, group);
  }
  group.count++;
  // A rule's priority is fixed, but an overridden rule file can raise it: keep the worst seen.
  if (rank(alert.priority) > group.priorityRank) {
    group.priority = alert.priority;
    group.priorityRank = rank(alert.priority);
  }
  for (const tag of asArray(alert.tags).map(asString)) if (tag !== undefined) group.tags.add(tag);
  const output = withoutTimestamp(asString(alert.output) ?? '');
  for (const secret of credentialsIn([output, ...Object.values(fields).map(asString)])) group.secrets.add(secret);
  if (output !== '' && group.examples.length < MAX_EXAMPLES && !group.examples.includes(output)) group.examples.push(output);
  const time = Date.parse(asString(alert.time) ?? '');
  if (Number.isFinite(time)) {
    if (group.firstTime === undefined || time < group.firstTime) group.firstTime = time;
    if (group.lastTime === undefined || time > group.lastTime) group.lastTime = time;
  }
}

function workloadOf(alert: Record<string, unknown>, fields: Record<string, unknown>): Workload {
  const host = asString(alert.hostname);
  const namespace = field(fields, 'k8s.ns.name');
  const pod = field(fields, 'k8s.pod.name');
  const containerId = field(fields, 'container.id');
  const inContainer = containerId !== undefined && containerId !== 'host';
  const resources: DraftResource[] = [];
  const image = joinNonEmpty([field(fields, 'container.image.repository'), field(fields, 'container.image.tag')], ':');
  if (inContainer) {
    resources.push({
      type: 'Container',
      id: containerId,
      details: {
        Container: {
          ...(field(fields, 'container.name') ? { Name: field(fields, 'container.name') } : {}),
          ...(image ? { ImageName: image } : {}),
          ...(field(fields, 'container.image.digest') ? { ImageId: field(fields, 'container.image.digest') } : {}),
        },
      },
    });
  }
  if (namespace !== undefined && pod !== undefined) {
    resources.unshift({ type: 'Other', id: `k8s://${namespace}/Pod/${pod}`, details: { Other: { namespace, pod, ...(host ? { node: host } : {}) } } });
    return { key: `pod:${namespace}/${pod}`, describe: `pod ${namespace}/${pod}`, resources, behaviour: 'Container' };
  }
  if (inContainer) {
    if (host) resources.push({ type: 'Other', id: `host:${host}` });
    return {
      key: `container:${host ?? ''}/${containerId}`,
      describe: `container ${containerId}${image ? ` (${image})` : ''}${host ? ` on ${host}` : ''}`,
      resources,
      behaviour: 'Container',
    };
  }
  const auditNamespace = field(fields, 'ka.target.namespace');
  if (asString(alert.source) === 'k8s_audit' || auditNamespace !== undefined) {
    const user = field(fields, 'ka.user.name') ?? 'unknown-user';
    return {
      key: `k8s-api:${auditNamespace ?? ''}/${user}`,
      describe: `the Kubernetes API (user ${user}${auditNamespace ? `, namespace ${auditNamespace}` : ''})`,
      resources: [{ type: 'Other', id: `k8s-api://${auditNamespace ?? 'cluster'}/user/${user}` }],
      behaviour: 'User',
    };
  }
  return {
    key: `host:${host ?? ''}`,
    describe: `host ${host ?? 'unknown'}`,
    resources: [{ type: 'Other', id: `host:${host ?? 'unknown'}` }],
    behaviour: 'Process',
  };
}

function groupFinding(group: AlertGroup, context: ParseContext): FindingDraft {
  const alert = group.first;
  const tags = [...group.tags];
  const techniques = tags.filter((t) => /^T\d{4}(\.\d{3})?$/.test(t));
  const classifier = techniques[0] ?? group.rule.replace(/\//g, '-');
  const ttps = tags.filter((t) => TACTICS[t] !== undefined).map((t) => `${TACTICS[t]}/${classifier}`);
  const when = group.firstTime === undefined
    ? ''
    : ` between ${new Date(group.firstTime).toISOString()} and ${new Date(group.lastTime!).toISOString()}`;
  const source = asString(alert.source) ?? 'syscall';
  const outputFields = asRecord(alert.output_fields);
  const fields = Object.keys(outputFields)
    .filter((name) => field(outputFields, name) !== undefined)
    .slice(0, MAX_ALERT_FIELDS)
    .map((name) => [`field/${name}`, field(outputFields, name)!] as const);
  return {
    ruleId: group.rule,
    locationKey: `${source}|${group.workload.key}`,
    title: `${group.rule} in ${group.workload.describe}`,
    description: joinNonEmpty(
      [
        `Falco rule "${group.rule}" fired ${group.count} ${group.count === 1 ? 'time' : 'times'} in ${group.workload.describe}${when}.`,
        group.examples.length ? `Alerts:\n${group.examples.map((e) => `- ${e}`).join('\n')}` : undefined,
      ],
      '\n\n',
    ),
    severity: severityFrom(FALCO_SEVERITIES, group.priority),
    types: [...ttps, `Unusual Behaviors/${group.workload.behaviour}/${group.rule.replace(/\//g, '-')}`],
    resources: group.workload.resources.length ? group.workload.resources : fallbackResources(context),
    remediation: {
      text: `Investigate the ${group.workload.describe}: confirm whether the activity is expected; if not, isolate the workload, ` +
        'rotate credentials it could reach, and rebuild it from a trusted image. Tune the rule if it is expected.',
    },
    productFields: {
      Source: source,
      Alerts: String(group.count),
      ...(tags.length ? { Tags: tags.join(', ') } : {}),
      ...(asString(alert.hostname) ? { Hostname: asString(alert.hostname)! } : {}),
      ...Object.fromEntries(fields),
    },
    firstObservedAt: group.firstTime === undefined ? undefined : new Date(group.firstTime).toISOString(),
    lastObservedAt: group.lastTime === undefined ? undefined : new Date(group.lastTime).toISOString(),
    secrets: [...group.secrets],
  };
}

function fallbackResources(context: ParseContext): DraftResource[] {
  return context.scan.image ? [{ type: 'Container', id: context.scan.image }] : [];
}

/** Falco prints `<NA>` for a field it could not resolve (no container, no Kubernetes metadata). */
function field(fields: Record<string, unknown>, name: string): string | undefined {
  const value = asString(fields[name]);
  return value === '<NA>' ? undefined : value;
}

function rank(priority: unknown): number {
  const order = ['debug', 'informational', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
  return order.indexOf((asString(priority) ?? '').toLowerCase());
}

/** Outputs start with the event time (`12:03:11.123456789: Warning ...`): it differs per alert. */
function withoutTimestamp(output: string): string {
  return output.replace(/^\d{2}:\d{2}:\d{2}\.\d+:\s*/, '').trim();
}

/**
 * `key=value` pairs in command lines that carry credentials: runtime alerts
 * quote command lines, Security Hub must not. What
 * `/(?:^|[\s"'(])-{0,2}[\w.-]*(?:password|...)[\w.-]*[=:]\s*([^\s"')]+)/gi`
 * captures, found without it: outputs are report-controlled, and that regex
 * backtracks over a long word at each keyword in it. A word of `[\w.-]` that
 * starts the text or follows a delimiter, names a credential and is followed
 * by `=` or `:`, gives the value after it; each character is read a bounded
 * number of times.
 */
export function credentialsIn(texts: readonly (string | undefined)[]): string[] {
  const found: string[] = [];
  for (const text of texts) {
    if (text === undefined) continue;
    let i = 0;
    while (i < text.length) {
      // A word starts at the beginning or right after a delimiter.
      if (i > 0 && !isDelimiter(text.charCodeAt(i - 1))) {
        i++;
        continue;
      }
      let end = i;
      while (end < text.length && isWordChar(text.charCodeAt(end))) end++;
      const separator = text[end];
      if (end > i && (separator === '=' || separator === ':') && CREDENTIAL_NAME.test(text.slice(i, end))) {
        let start = end + 1;
        while (start < text.length && /\s/.test(text[start])) start++;
        let stop = start;
        while (stop < text.length && !isValueEnd(text[stop])) stop++;
        if (stop > start) {
          if (stop - start >= 4) found.push(text.slice(start, stop));
          i = stop;
          continue;
        }
      }
      i = Math.max(end, i + 1);
    }
  }
  return found;
}

function isDelimiter(code: number): boolean {
  return code === 0x22 || code === 0x27 || code === 0x28 || /\s/.test(String.fromCharCode(code));
}

function isWordChar(code: number): boolean {
  const letterOrDigit = (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
  return letterOrDigit || code === 0x5f || code === 0x2e || code === 0x2d;
}

function isValueEnd(char: string): boolean {
  return char === '"' || char === "'" || char === ')' || /\s/.test(char);
}
