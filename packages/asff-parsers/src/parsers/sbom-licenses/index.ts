import { FindingTypes } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { LICENSE_REPORT_FORMAT } from '../../licenses/license-report';
import { NO_LICENSE } from '../../licenses/license-rules';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { containerImageResource } from '../container-image';
import { asArray, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/** The licence report carries the policy's own severity labels. */
const LICENSE_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFORMATIONAL',
};

/** A label the report does not know is a violation all the same: it must not pass a gate unseen. */
const UNKNOWN_SEVERITY = 'HIGH';

const REASONS: Readonly<Record<string, (license: string, rules: string) => string>> = {
  'denied': (license) => `${license} is on the policy's deny list`,
  'not-allowed': (license, rules) => `${license} is not on the policy's allow list (${rules})`,
  'unrecognised': (license) => `'${license}' is no SPDX licence id nor expression: what it permits is unknown`,
  'unlicensed': () => 'the SBOM declares no licence for it',
};

/**
 * The licence report `asff licenses` writes: the verdicts of the policy's licence rules on an SBOM (CycloneDX or
 * SPDX JSON). The rules travel in the report, so this parser needs no policy and the findings processor files the
 * same findings as the build.
 */
export const sbomLicensesParser: Parser = {
  id: 'sbom-licenses',
  displayName: 'SBOM licence policy',
  countingUnit: 'one per violated licence per package (package URL, else SBOM reference, else name@version); a package without any licence is one ' +
    'finding under NOASSERTION',
  formats: [`licence report ${LICENSE_REPORT_FORMAT} (asff licenses, from CycloneDX JSON 1.2-1.6 or SPDX JSON 2.2-2.3)`],
  severityTable: LICENSE_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    return /^\s*\{\s*"licenseReport"\s*:\s*"asff-sbom-licenses\//.test(head.text) ? 1 : undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseLicenseReport(source, context);
  },
};

async function* parseLicenseReport(input: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const { head, source } = await peekSource(input);
  const format = /"licenseReport"\s*:\s*"([^"]{1,40})"/.exec(head.toString('utf8'))?.[1];
  if (format === undefined) {
    throw new MalformedInputError('not a licence report: no "licenseReport" at its start (write it with asff licenses)', 'unrecognised');
  }
  if (format !== LICENSE_REPORT_FORMAT) {
    throw new MalformedInputError(`licence report format '${format.replace(/[^\w./-]/g, '?')}' is not ${LICENSE_REPORT_FORMAT}`);
  }
  const repeats = new RepeatFilter();
  const selection = { elements: ['violations.*'], capture: ['stage', 'sbom', 'rules'] };
  for await (const element of streamJsonElements(source, selection)) {
    const raw = asRecord(element.value);
    // The same package twice (two lock files of one image) is two findings told apart by the SBOM's reference.
    const admitted = repeats.admit(finding(raw, element.captured, context), [asString(asRecord(raw.component).ref)]);
    if (admitted !== undefined) yield admitted;
  }
}

function finding(raw: Record<string, unknown>, captured: Readonly<Record<string, unknown>>, context: ParseContext): FindingDraft {
  const component = asRecord(raw.component);
  const name = asString(component.name) ?? 'unknown-package';
  const version = asString(component.version);
  const purl = asString(component.purl);
  const ref = asString(component.ref);
  const license = asString(raw.license) ?? NO_LICENSE;
  const reason = asString(raw.reason) ?? 'denied';
  const stage = asString(captured.stage);
  const sbom = asRecord(captured.sbom);
  const rules = asRecord(captured.rules);
  const declared = asArray(raw.declared).map(asString).filter((d): d is string => d !== undefined);
  const packageName = `${name}${version ? ` ${version}` : ''}`;
  // The first entries only: each finding names the list, and a long list must not cost its length per finding.
  const allow = asArray(rules.allow);
  const shown = allow.slice(0, 10).map(asString).filter((a): a is string => a !== undefined);
  const why = (REASONS[reason] ?? REASONS.denied)(license, allow.length > 0 ? `${shown.join(', ')}${allow.length > 10 ? ', ...' : ''}` : 'empty');
  // A package URL names the package across builds; the SBOM's reference or name@version stand in without one.
  const componentId = purl ?? ref ?? `${name}@${version ?? ''}`;
  const resources: DraftResource[] = [];
  const image = context.scan.image ?? asString(sbom.subject);
  if (image) resources.push(containerImageResource(image));
  resources.push({
    type: 'Other',
    id: componentId,
    details: {
      Other: {
        package: `${name}@${version ?? ''}`,
        license,
        ...(ref ? { ref } : {}),
        ...(asString(component.type) ? { type: asString(component.type)! } : {}),
      },
    },
  });
  return {
    ruleId: license,
    locationKey: componentId,
    title: reason === 'unlicensed' ? `No licence declared for ${packageName}` : `Licence ${license} of ${packageName} violates the licence policy`,
    description: joinNonEmpty([
      `${packageName}: ${why}${stage ? ` (licence rules of stage ${stage})` : ''}.`,
      declared.length > 0 ? `Declared licence: ${declared.join(' AND ')}.` : undefined,
      asString(sbom.format) ? `From the ${asString(sbom.format)} SBOM${asString(sbom.file) ? ` ${asString(sbom.file)}` : ''}.` : undefined,
    ], '\n\n'),
    severity: severityFrom(LICENSE_SEVERITIES, raw.severity, UNKNOWN_SEVERITY),
    types: [FindingTypes.CONFIGURATION],
    resources,
    remediation: {
      text: reason === 'unlicensed' || reason === 'unrecognised'
        ? 'Find the package\'s licence and record it in the SBOM (or in the image\'s package metadata), remove the package, ' +
          'or accept the risk with a suppression of this rule.'
        : 'Remove or replace the package, use it under another licence it offers, ' +
          'or accept the risk with a policy suppression (rule: the licence id) that the factory\'s rules allow.',
    },
    productFields: {
      License: license,
      Reason: reason,
      ...(declared.length > 0 ? { DeclaredLicense: declared.join(' AND ').slice(0, 1024) } : {}),
      ...(purl ? { PackageUrl: purl } : {}),
      ...(ref ? { BomRef: ref } : {}),
      ...(stage ? { LicenseRulesStage: stage } : {}),
    },
  };
}
