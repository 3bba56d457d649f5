import type { Cvss } from '@aws-sdk/client-securityhub';
import { vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { containerImageResource } from '../container-image';
import { inspectorFinding } from '../inspector2';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { severityFrom, VULNERABILITY_SEVERITIES } from '../severity';

/** Amazon ECR `aws ecr describe-image-scan-findings`: basic `findings[]` and enhanced `enhancedFindings[]`. */
export const ecrParser: Parser = {
  id: 'ecr',
  displayName: 'Amazon ECR image scanning',
  countingUnit: 'one per findings[] entry (basic: a CVE in a package of the image) or per enhancedFindings[] entry (enhanced: an Amazon Inspector ' +
    'finding)',
  formats: ['describe-image-scan-findings basic (findings[])', 'describe-image-scan-findings enhanced (enhancedFindings[])'],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    return /"imageScanFindings"\s*:/.test(head.text) ? 0.95 : undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseEcr(source, context);
  },
};

async function* parseEcr(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // The image (registryId, repositoryName, imageId) follows the findings in
  // the CLI's output, and one page holds at most 1000 findings: read it whole.
  for await (const element of streamJsonElements(source, { elements: ['$'] })) {
    const root = asRecord(element.value);
    const scan = root.imageScanFindings;
    if (scan === undefined || scan === null || typeof scan !== 'object') {
      throw new MalformedInputError('not an ECR scan report: no imageScanFindings', 'unrecognised');
    }
    const findings = asRecord(scan);
    const image = imageResource(root, context);
    for (const finding of asArray(findings.findings)) yield basicFinding(asRecord(finding), image);
    for (const finding of asArray(findings.enhancedFindings)) yield inspectorFinding(asRecord(finding));
  }
}

function imageResource(root: Record<string, unknown>, context: ParseContext): DraftResource {
  const registry = asString(root.registryId);
  const repository = asString(root.repositoryName);
  const imageId = asRecord(root.imageId);
  const digest = asString(imageId.imageDigest);
  const tag = asString(imageId.imageTag);
  if (registry && repository && digest) {
    const partition = context.scan.partition ?? 'aws';
    return {
      type: 'AwsEcrContainerImage',
      id: `arn:${partition}:ecr:${context.scan.region}:${registry}:repository/${repository}/${digest}`,
      details: {
        AwsEcrContainerImage: {
          RegistryId: registry,
          RepositoryName: repository,
          ImageDigest: digest,
          ...(tag ? { ImageTags: [tag] } : {}),
        },
      },
    };
  }
  const image = context.scan.image ?? joinNonEmpty([repository, digest ? `@${digest}` : tag ? `:${tag}` : undefined], '');
  return containerImageResource(image || 'unknown-image');
}

function basicFinding(f: Record<string, unknown>, image: DraftResource): FindingDraft {
  const attributes = new Map<string, string>();
  for (const a of asArray(f.attributes).map(asRecord)) {
    const key = asString(a.key);
    const value = asString(a.value);
    if (key && value) attributes.set(key, value);
  }
  const id = asString(f.name) ?? 'unknown-vulnerability';
  const name = attributes.get('package_name') ?? 'unknown-package';
  const version = attributes.get('package_version') ?? '';
  const uri = asString(f.uri);
  const cvss: Cvss[] = [];
  for (const v of ['3', '2']) {
    const score = asNumber(attributes.get(`CVSS${v}_SCORE`));
    const vector = attributes.get(`CVSS${v}_VECTOR`);
    if (score !== undefined) cvss.push({ BaseScore: score, Version: v, ...(vector ? { BaseVector: vector } : {}) });
  }
  return {
    ruleId: id,
    locationKey: `${name}@${version}`,
    title: `${id} in ${name} ${version}`.trim(),
    description: asString(f.description) ?? `${id} affects ${name} ${version}.`,
    severity: severityFrom(VULNERABILITY_SEVERITIES, f.severity),
    types: [vulnerabilityType(id)],
    resources: [image],
    vulnerabilities: [{
      id,
      vulnerablePackages: [{ Name: name, ...(version ? { Version: version } : {}) }],
      cvss,
      vendor: { name: 'Amazon ECR', ...(uri ? { url: uri } : {}) },
      referenceUrls: uri ? [uri] : [],
    }],
    sourceUrl: uri,
  };
}
