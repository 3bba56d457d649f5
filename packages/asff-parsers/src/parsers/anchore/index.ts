import type { Cvss } from '@aws-sdk/client-securityhub';
import { vulnerabilityType } from '../../asff/finding-types';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { containerImageResource } from '../container-image';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { severityFrom, VULNERABILITY_SEVERITIES } from '../severity';

/** Anchore writes the string "None" for absent values. */
function present(value: unknown): string | undefined {
  const text = asString(value);
  return text === undefined || text === 'None' || text === 'null' ? undefined : text;
}

/** Anchore Engine image vulnerability reports, `vulnerabilities[]` and anchorectl's `securityEvaluation[]`. */
export const anchoreParser: Parser = {
  id: 'anchore',
  displayName: 'Anchore Engine',
  countingUnit: 'one per vulnerabilities[] / securityEvaluation[] entry: a vulnerability in one package at one path of the image',
  formats: ['anchore-cli image vuln <image> all --json (vulnerabilities[])', 'anchorectl / Enterprise ({metadata, securityEvaluation[]})'],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    if (/"securityEvaluation"\s*:/.test(head.text) && /"vulnerabilityId"\s*:/.test(head.text)) return 0.9;
    if (
      /"(imageDigest|image_digest)"\s*:/.test(head.text)
      && /"vulnerabilities"\s*:/.test(head.text)
      && /"(feed_group|package_name|vuln)"\s*:/.test(head.text)
    ) {
      return 0.9;
    }
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseAnchore(source, context);
  },
};

async function* parseAnchore(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const selection = { elements: ['vulnerabilities.*', 'securityEvaluation.*'], capture: ['imageDigest', 'image_digest', 'imageFullTag', 'metadata'] };
  for await (const element of streamJsonElements(source, selection)) {
    const entry = asRecord(element.value);
    const captured = element.captured;
    if (element.selector === 'vulnerabilities.*') {
      const digest = present(captured.imageDigest) ?? present(captured.image_digest);
      yield classicFinding(entry, imageResource(context, present(captured.imageFullTag), digest));
    } else {
      const metadata = asRecord(captured.metadata);
      const repository = joinNonEmpty([present(metadata.registry), present(metadata.repository)], '/');
      const tagged = repository ? `${repository}${present(metadata.tag) ? `:${present(metadata.tag)}` : ''}` : undefined;
      yield evaluationFinding(entry, imageResource(context, tagged, present(metadata.imageDigest)));
    }
  }
}

function imageResource(context: ParseContext, tagged: string | undefined, digest: string | undefined): DraftResource | undefined {
  if (context.scan.image) return containerImageResource(context.scan.image);
  if (digest === undefined && tagged === undefined) return undefined;
  const name = tagged?.replace(/:[^/:]*$/, '');
  const id = digest !== undefined ? (name ? `${name}@${digest}` : digest) : tagged!;
  return { type: 'Container', id, details: { Container: { ...(tagged ? { ImageName: tagged } : {}), ...(digest ? { ImageId: digest } : {}) } } };
}

function classicFinding(v: Record<string, unknown>, image: DraftResource | undefined): FindingDraft {
  const id = present(v.vuln) ?? 'unknown-vulnerability';
  const name = present(v.package_name) ?? present(v.package) ?? 'unknown-package';
  const version = present(v.package_version) ?? '';
  const path = present(v.package_path);
  const fix = present(v.fix);
  const url = present(v.url);
  const cvss = asArray(v.nvd_data)
    .concat(asArray(v.vendor_data))
    .flatMap((d) => {
      const record = asRecord(d);
      return [asRecord(record.cvss_v3), asRecord(record.cvss_v2)].map((c, i): Cvss | undefined => {
        const score = asNumber(c.base_score);
        if (score === undefined || score < 0) return undefined;
        return { BaseScore: score, Version: i === 0 ? '3' : '2', ...(present(record.id) ? { Source: present(record.id) } : {}) };
      });
    })
    .filter((c): c is Cvss => c !== undefined);
  return vulnerabilityDraft({
    id,
    name,
    version,
    path,
    fix,
    url,
    cvss,
    severity: v.severity,
    packageType: present(v.package_type),
    feed: present(v.feed_group),
    image,
  });
}

function evaluationFinding(v: Record<string, unknown>, image: DraftResource | undefined): FindingDraft {
  const id = present(v.vulnerabilityId) ?? present(v.cves) ?? 'unknown-vulnerability';
  const pkg = present(v.package) ?? 'unknown-package';
  const score = asNumber(v.nvdCvssBaseScore);
  return vulnerabilityDraft({
    id,
    name: pkg,
    version: '',
    path: present(v.path),
    fix: present(v.fixAvailable),
    url: present(v.link),
    cvss: score !== undefined && score >= 0 ? [{ BaseScore: score, Source: 'NVD' }] : [],
    severity: v.severity,
    packageType: present(v.packageType),
    related: (present(v.cves) ?? '').split(/[,\s]+/).filter((c) => c !== '' && c !== id),
    image,
  });
}

interface Entry {
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly path?: string;
  readonly fix?: string;
  readonly url?: string;
  readonly cvss: Cvss[];
  readonly severity: unknown;
  readonly packageType?: string;
  readonly feed?: string;
  readonly related?: string[];
  readonly image?: DraftResource;
}

function vulnerabilityDraft(e: Entry): FindingDraft {
  const pkg = e.version ? `${e.name} ${e.version}` : e.name;
  const packageResource: DraftResource = {
    type: 'Other',
    id: joinNonEmpty([e.version ? `${e.name}@${e.version}` : e.name, e.path], ' at '),
    details: { Other: { package: pkg, ...(e.path ? { path: e.path } : {}), ...(e.packageType ? { type: e.packageType } : {}) } },
  };
  return {
    ruleId: e.id,
    locationKey: joinNonEmpty([e.name, e.version, e.packageType, e.path], '|'),
    title: `${e.id} in ${pkg}`,
    description: joinNonEmpty([
      `${e.id} affects ${pkg}${e.path ? ` at ${e.path}` : ''}.`,
      e.feed ? `Feed: ${e.feed}.` : undefined,
      e.fix ? `Fixed in ${e.fix}.` : 'No fix available.',
    ], ' '),
    severity: severityFrom(VULNERABILITY_SEVERITIES, e.severity),
    types: [vulnerabilityType(e.id)],
    resources: e.image ? [e.image, packageResource] : [packageResource],
    vulnerabilities: [
      {
        id: e.id,
        vulnerablePackages: [{
          Name: e.name,
          ...(e.version ? { Version: e.version } : {}),
          ...(e.packageType ? { PackageManager: e.packageType } : {}),
          ...(e.path ? { FilePath: e.path } : {}),
          ...(e.fix ? { FixedInVersion: e.fix } : {}),
        }],
        cvss: e.cvss,
        relatedVulnerabilities: e.related,
        vendor: { name: 'Anchore', ...(e.url ? { url: e.url } : {}) },
        referenceUrls: e.url ? [e.url] : [],
        fixAvailable: e.fix ? 'YES' : 'NO',
      },
    ],
    remediation: e.fix ? { text: `Upgrade ${e.name} to ${e.fix}.`, url: e.url } : undefined,
    sourceUrl: e.url,
  };
}
