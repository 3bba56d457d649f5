import { FindingTypes } from '../../asff/finding-types';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { streamXmlElements, type XmlElement } from '../../streams/xml-elements';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { severityFrom } from '../severity';
import { firstUrl, htmlToText } from '../text';

/** ZAP risk codes 0-3, and the words ZAP uses for them. */
const ZAP_RISKS: SeverityTable = {
  0: 'INFORMATIONAL',
  1: 'LOW',
  2: 'MEDIUM',
  3: 'HIGH',
  informational: 'INFORMATIONAL',
  info: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
};

/** ZAP confidence 0 means a user marked the alert as a false positive. */
const FALSE_POSITIVE_CONFIDENCE = '0';

/** The fields of one ZAP alert, from either report format. */
interface ZapAlert {
  readonly pluginId?: string;
  readonly alertRef?: string;
  readonly name?: string;
  readonly riskCode?: string;
  readonly confidence?: string;
  readonly description?: string;
  readonly solution?: string;
  readonly otherInfo?: string;
  readonly reference?: string;
  readonly cweId?: string;
  readonly wascId?: string;
  readonly count?: string;
  readonly instances: readonly ZapInstance[];
}

interface ZapInstance {
  readonly uri?: string;
  readonly method?: string;
  readonly param?: string;
  readonly evidence?: string;
}

/** OWASP ZAP traditional JSON and XML reports, including the "-plus" variants. */
export const zapParser: Parser = {
  id: 'zap',
  displayName: 'OWASP ZAP',
  countingUnit:
    "one per alert (plugin, name and risk) per site; the alert's instances (URL, method, parameter) become Resources " +
    '(up to 32, the rest counted in ProductFields); request/response headers and bodies of the -plus reports are never copied ' +
    '(they carry cookies and tokens)',
  formats: ['traditional JSON', 'traditional JSON plus', 'XML', 'XML plus'],
  severityTable: ZAP_RISKS,
  detect(head: ReportHead): number | undefined {
    if (/<OWASPZAPReport[\s>]/.test(head.text)) return 0.95;
    if (/^\s*\{/.test(head.text) && /"site"\s*:\s*\[/.test(head.text) && /"@(version|generated|programName)"/.test(head.text)) return 0.9;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseZap(source, context);
  },
};

async function* parseZap(input: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const { head, source } = await peekSource(input, 1024);
  const start = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (start.startsWith('<')) {
    for await (const match of streamXmlElements(source, { roots: ['OWASPZAPReport'], elements: ['OWASPZAPReport/site/alerts/alertitem'] })) {
      const site = match.ancestors.find((a) => a.name === 'site')?.attributes.name;
      yield zapFinding(xmlAlert(match.element), site, context);
    }
    return;
  }
  for await (const element of streamJsonElements(source, { elements: ['site.*.alerts.*'], capture: ['site.*.@name'] })) {
    yield zapFinding(jsonAlert(asRecord(element.value)), asString(element.captured['site.*.@name']), context);
  }
}

function jsonAlert(alert: Record<string, unknown>): ZapAlert {
  return {
    pluginId: asString(alert.pluginid),
    alertRef: asString(alert.alertRef),
    name: asString(alert.alert) ?? asString(alert.name),
    riskCode: asString(alert.riskcode),
    confidence: asString(alert.confidence),
    description: asString(alert.desc),
    solution: asString(alert.solution),
    otherInfo: asString(alert.otherinfo),
    reference: asString(alert.reference),
    cweId: asString(alert.cweid),
    wascId: asString(alert.wascid),
    count: asString(alert.count),
    instances: asArray(alert.instances).map((i) => {
      const instance = asRecord(i);
      return {
        uri: asString(instance.uri),
        method: asString(instance.method),
        param: asString(instance.param),
        evidence: asString(instance.evidence),
      };
    }),
  };
}

function xmlAlert(alert: XmlElement): ZapAlert {
  return {
    pluginId: alert.textOf('pluginid'),
    alertRef: alert.textOf('alertRef'),
    name: alert.textOf('alert') ?? alert.textOf('name'),
    riskCode: alert.textOf('riskcode'),
    confidence: alert.textOf('confidence'),
    description: alert.textOf('desc'),
    solution: alert.textOf('solution'),
    otherInfo: alert.textOf('otherinfo'),
    reference: alert.textOf('reference'),
    cweId: alert.textOf('cweid'),
    wascId: alert.textOf('wascid'),
    count: alert.textOf('count'),
    instances: (alert.first('instances')?.all('instance') ?? []).map((i) => ({
      uri: i.textOf('uri'),
      method: i.textOf('method'),
      param: i.textOf('param'),
      evidence: i.textOf('evidence'),
    })),
  };
}

function zapFinding(alert: ZapAlert, site: string | undefined, context: ParseContext): FindingDraft {
  const ruleId = alert.alertRef ?? alert.pluginId ?? alert.name ?? 'unknown-alert';
  const siteName = site ?? originOf(alert.instances[0]?.uri) ?? context.scan.repository ?? 'unknown-site';
  const name = alert.name ?? `ZAP alert ${ruleId}`;
  const instanceCount = alert.count ?? String(alert.instances.length);
  const resources = uniqueResources(alert.instances, siteName);
  const references = htmlToText(alert.reference);
  return {
    ruleId,
    // ZAP reports one plugin under several alert names and risks (e.g. 10099
    // "Source Code Disclosure - SQL" and "- Servlet"): both are part of the key.
    locationKey: `${siteName}|${name}|${alert.riskCode ?? ''}`,
    title: `${name} (${siteName})`,
    description: joinNonEmpty(
      [htmlToText(alert.description) ?? name, htmlToText(alert.otherInfo), `${instanceCount} instance(s) on ${siteName}.`],
      '\n\n',
    ),
    severity: severityFrom(ZAP_RISKS, alert.riskCode),
    types: [FindingTypes.WEB_APPLICATION_VULNERABILITY],
    resources,
    remediation: { text: htmlToText(alert.solution), url: firstUrl(references) },
    sourceUrl: alert.pluginId !== undefined && /^\d+$/.test(alert.pluginId) ? `https://www.zaproxy.org/docs/alerts/${alert.pluginId}/` : undefined,
    productFields: {
      ...(alert.pluginId ? { PluginId: alert.pluginId } : {}),
      ...(alert.cweId && alert.cweId !== '-1' && alert.cweId !== '0' ? { CWE: `CWE-${alert.cweId}` } : {}),
      ...(alert.wascId && alert.wascId !== '0' ? { WASC: alert.wascId } : {}),
      ...(alert.confidence ? { Confidence: alert.confidence } : {}),
      Instances: instanceCount,
      Site: siteName,
    },
    suppressed: alert.confidence === FALSE_POSITIVE_CONFIDENCE
      ? { reason: 'marked as a false positive in ZAP (confidence 0)', kind: 'external' }
      : undefined,
  };
}

/** One resource per distinct (URL, method, parameter); the site itself when ZAP listed no instance. */
function uniqueResources(instances: readonly ZapInstance[], site: string): DraftResource[] {
  const seen = new Set<string>();
  const resources: DraftResource[] = [];
  for (const instance of instances) {
    const uri = instance.uri ?? site;
    const key = `${instance.method ?? ''} ${uri} ${instance.param ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const details: Record<string, string> = {};
    if (instance.method) details.method = instance.method;
    if (instance.param) details.parameter = instance.param;
    if (instance.evidence) details.evidence = instance.evidence.slice(0, 256);
    resources.push({ type: 'Other', id: uri, ...(Object.keys(details).length ? { details: { Other: details } } : {}) });
  }
  return resources.length > 0 ? resources : [{ type: 'Other', id: site }];
}

function originOf(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
