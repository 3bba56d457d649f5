import { FindingTypes } from '../../asff/finding-types';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { severityFrom } from '../severity';
import { htmlToText } from '../text';

/** Arachni's four severities. */
const ARACHNI_SEVERITIES: SeverityTable = {
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFORMATIONAL',
};

/** Instances listed as Resources; the rest are counted in ProductFields. */
const MAX_INSTANCE_RESOURCES = 32;

/** What is kept of one issue instance: never its request, response, page body or input values (cookies, tokens). */
interface Instance {
  readonly url: string;
  readonly method?: string;
  readonly input?: string;
  readonly element?: string;
}

/** The instances of one issue (check, name, severity) on one site. */
interface IssueGroup {
  readonly issue: Record<string, unknown>;
  readonly site: string;
  readonly instances: Map<string, Instance>;
}

/** Arachni `arachni_reporter <report>.afr --reporter=json`: `{version, options, sitemap, issues[], plugins}`. */
export const arachniParser: Parser = {
  id: 'arachni',
  displayName: 'Arachni',
  countingUnit:
    'one per issue (check, name and severity) per site: Arachni lists one issues[] entry per instance, the instances (URL, method, input) become ' +
    'Resources; requests, responses, page bodies and input values are never copied',
  formats: ['Arachni JSON report (arachni_reporter --reporter=json), 1.x'],
  severityTable: ARACHNI_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text) || !/"issues"\s*:/.test(text)) return undefined;
    if (/"seed"\s*:/.test(text) && /"sitemap"\s*:/.test(text) && /"delta_time"\s*:/.test(text)) return 0.95;
    if (/Arachni::Element::/.test(text) && /"check"\s*:/.test(text)) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseArachni(source, context);
  },
};

async function* parseArachni(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // Each issue entry carries its page and HTTP exchange (kilobytes); only a few strings per instance are kept.
  const groups = new Map<string, IssueGroup>();
  for await (const element of streamJsonElements(source, { elements: ['issues.*'] })) {
    const issue = asRecord(element.value);
    const vector = asRecord(issue.vector);
    const url = asString(vector.action) ?? asString(vector.url) ?? asString(asRecord(issue.request).url) ?? 'unknown-url';
    const site = originOf(url) ?? context.scan.repository ?? 'unknown-site';
    const key = JSON.stringify([checkOf(issue), asString(issue.name), asString(issue.severity), site]);
    let group = groups.get(key);
    if (group === undefined) {
      group = { issue: summarise(issue), site, instances: new Map() };
      groups.set(key, group);
    }
    const instance: Instance = {
      url,
      method: asString(vector.method)?.toUpperCase(),
      input: asString(vector.affected_input_name) === 'None' ? undefined : asString(vector.affected_input_name),
      element: asString(vector.type),
    };
    const instanceKey = `${instance.method ?? ''} ${url} ${instance.input ?? ''}`;
    if (!group.instances.has(instanceKey)) group.instances.set(instanceKey, instance);
  }
  for (const group of groups.values()) yield arachniFinding(group);
}

/** The check's short name (`xss`, `hsts`): Arachni's stable rule id. */
function checkOf(issue: Record<string, unknown>): string {
  const check = asRecord(issue.check);
  return asString(check.shortname) ?? asString(check.name) ?? asString(issue.name) ?? 'unknown-check';
}

/** The issue without the bulky and sensitive parts (page, request, response, proof, vector inputs). */
function summarise(issue: Record<string, unknown>): Record<string, unknown> {
  const { name, description, references, cwe, severity, remedy_guidance: remedy, tags, check, trusted } = issue;
  const kept = { name, description, references, cwe, severity, remedy_guidance: remedy, tags, trusted };
  return { ...kept, check: { shortname: checkOf(issue), name: asRecord(check).name } };
}

function arachniFinding(group: IssueGroup): FindingDraft {
  const issue = group.issue;
  const check = checkOf(issue);
  const name = asString(issue.name) ?? check;
  const severity = asString(issue.severity);
  const cwe = asString(issue.cwe);
  const instances = [...group.instances.values()];
  const references = Object.values(asRecord(issue.references)).map(asString).filter((u): u is string => u !== undefined && /^https?:\/\//.test(u));
  const tags = asArray(issue.tags).map(asString).filter((t): t is string => t !== undefined);
  const resources: DraftResource[] = instances.slice(0, MAX_INSTANCE_RESOURCES).map((i) => {
    const details: Record<string, string> = {};
    if (i.method) details.method = i.method;
    if (i.input) details.input = i.input;
    if (i.element) details.element = i.element;
    return { type: 'Other', id: i.url, ...(Object.keys(details).length ? { details: { Other: details } } : {}) };
  });
  return {
    ruleId: check,
    // Arachni gives one check several names (e.g. `interesting_responses`); name and severity are part of the key.
    locationKey: `${group.site}|${name}|${severity ?? ''}`,
    title: `${name} (${group.site})`,
    description: joinNonEmpty([htmlToText(asString(issue.description)) ?? name, `${instances.length} instance(s) on ${group.site}.`], '\n\n'),
    severity: severityFrom(ARACHNI_SEVERITIES, severity),
    types: [FindingTypes.WEB_APPLICATION_VULNERABILITY],
    resources: resources.length > 0 ? resources : [{ type: 'Other', id: group.site }],
    remediation: { text: htmlToText(asString(issue.remedy_guidance)), url: references[0] },
    productFields: {
      Check: check,
      Site: group.site,
      Instances: String(instances.length),
      ...(cwe ? { CWE: `CWE-${cwe}` } : {}),
      ...(tags.length ? { Tags: tags.join(', ') } : {}),
      ...(issue.trusted === false ? { Trusted: 'false' } : {}),
    },
  };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
