import type { Cvss, SoftwarePackage } from '@aws-sdk/client-securityhub';
import { FindingTypes, vulnerabilityType } from '../../asff/finding-types';
import { streamJsonElements } from '../../streams/json-elements';
import type { ReportSource } from '../../streams/report-source';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, Parser, ReportHead, SeverityTable } from '../parser';
import { severityFrom } from '../severity';
import { toIsoTimestamp } from '../text';

/** Inspector's severities map one to one; UNTRIAGED has not been rated yet. */
export const INSPECTOR_SEVERITIES: SeverityTable = {
  critical: 'CRITICAL',
  high: 'HIGH',
  medium: 'MEDIUM',
  low: 'LOW',
  informational: 'INFORMATIONAL',
  untriaged: 'INFORMATIONAL',
  undefined: 'INFORMATIONAL',
};

/** Inspector resource types -> ASFF resource types. */
const RESOURCE_TYPES: Record<string, string> = {
  AWS_ECR_CONTAINER_IMAGE: 'AwsEcrContainerImage',
  AWS_EC2_INSTANCE: 'AwsEc2Instance',
  AWS_LAMBDA_FUNCTION: 'AwsLambdaFunction',
  AWS_ECR_REPOSITORY: 'AwsEcrRepository',
  CODE_REPOSITORY: 'CodeRepository',
};

/** Amazon Inspector2 `aws inspector2 list-findings`. */
export const inspector2Parser: Parser = {
  id: 'inspector2',
  displayName: 'Amazon Inspector',
  countingUnit: 'one per findings[] entry (the Inspector finding ARN is its identity); CLOSED findings are imported ARCHIVED, SUPPRESSED ones ' +
    'marked Suppressed',
  formats: ['aws inspector2 list-findings (JSON)'],
  severityTable: INSPECTOR_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    if (
      /^\s*\{\s*"findings"\s*:/.test(head.text)
      && (/"findingArn"\s*:\s*"arn:[^"]*:inspector2:/.test(head.text) || /^\s*\{\s*"findings"\s*:\s*\[\s*\]/.test(head.text))
    ) {
      return 0.9;
    }
    return undefined;
  },
  parse(source: ReportSource): AsyncIterable<FindingDraft> {
    return parseInspector(source);
  },
};

async function* parseInspector(source: ReportSource): AsyncGenerator<FindingDraft> {
  for await (const element of streamJsonElements(source, { elements: ['findings.*'] })) {
    yield inspectorFinding(asRecord(element.value));
  }
}

/** Maps one Inspector2 finding (also ECR enhanced scanning's `enhancedFindings[]`). */
export function inspectorFinding(f: Record<string, unknown>): FindingDraft {
  const details = asRecord(f.packageVulnerabilityDetails);
  const code = asRecord(f.codeVulnerabilityDetails);
  const type = asString(f.type) ?? 'PACKAGE_VULNERABILITY';
  const vulnerabilityId = asString(details.vulnerabilityId);
  const ruleId = vulnerabilityId ?? asString(code.detectorId) ?? asString(code.ruleId) ?? asString(f.title) ?? 'unknown-finding';
  const packages = asArray(details.vulnerablePackages).map(asRecord);
  const resources = asArray(f.resources).map((r) => inspectorResource(asRecord(r)));
  const status = asString(f.status);
  const cvss = asArray(details.cvss)
    .map((c): Cvss | undefined => {
      const record = asRecord(c);
      const score = asNumber(record.baseScore);
      return score === undefined ? undefined : {
        BaseScore: score,
        ...(asString(record.scoringVector) ? { BaseVector: asString(record.scoringVector) } : {}),
        ...(asString(record.version) ? { Version: asString(record.version) } : {}),
        ...(asString(record.source) ? { Source: asString(record.source) } : {}),
      };
    })
    .filter((c): c is Cvss => c !== undefined);
  const vulnerablePackages = packages.map(
    (p): SoftwarePackage => ({
      ...(asString(p.name) ? { Name: asString(p.name) } : {}),
      ...(asString(p.version) ? { Version: asString(p.version) } : {}),
      ...(asString(p.epoch) ? { Epoch: asString(p.epoch) } : {}),
      ...(asString(p.release) ? { Release: asString(p.release) } : {}),
      ...(asString(p.arch) ? { Architecture: asString(p.arch) } : {}),
      ...(asString(p.packageManager) ? { PackageManager: asString(p.packageManager) } : {}),
      ...(asString(p.filePath) ? { FilePath: asString(p.filePath) } : {}),
      ...(asString(p.fixedInVersion) && asString(p.fixedInVersion) !== 'NotAvailable' ? { FixedInVersion: asString(p.fixedInVersion) } : {}),
      ...(asString(p.remediation) ? { Remediation: asString(p.remediation) } : {}),
    }),
  );
  const fixAvailable = asString(f.fixAvailable);
  const epss = asNumber(asRecord(f.epss).score);
  const recommendation = asRecord(asRecord(f.remediation).recommendation);
  const remediationText = asString(recommendation.text);
  const filePath = asRecord(code.filePath);
  const codeLocation = asString(filePath.filePath) ? `${asString(filePath.filePath)}:${asString(filePath.startLine) ?? ''}` : undefined;
  const arn = asString(f.findingArn);
  return {
    ruleId,
    locationKey:
      arn ??
      joinNonEmpty(
        [...resources.map((r) => r.id), ...packages.map((p) => `${asString(p.name) ?? ''}@${asString(p.version) ?? ''}`), codeLocation],
        '|',
      ),
    title: asString(f.title) ?? ruleId,
    description: joinNonEmpty(
      [asString(f.description) ?? asString(f.title) ?? ruleId, codeLocation ? `Location: ${codeLocation}` : undefined],
      '\n\n',
    ),
    severity: severityFrom(INSPECTOR_SEVERITIES, f.severity),
    types: [
      type === 'NETWORK_REACHABILITY'
        ? FindingTypes.NETWORK_REACHABILITY
        : type === 'CODE_VULNERABILITY' ? FindingTypes.CODE_VULNERABILITY : vulnerabilityType(ruleId),
    ],
    resources,
    vulnerabilities:
      type === 'PACKAGE_VULNERABILITY' && vulnerabilityId
        ? [
          {
            id: vulnerabilityId,
            vulnerablePackages,
            cvss,
            relatedVulnerabilities: asArray(details.relatedVulnerabilities).map(asString).filter((r): r is string => r !== undefined),
            vendor: {
              name: asString(details.source) ?? 'Amazon Inspector',
              ...(asString(details.sourceUrl) ? { url: asString(details.sourceUrl) } : {}),
              ...(asString(details.vendorSeverity) ? { severity: asString(details.vendorSeverity) } : {}),
            },
            referenceUrls: asArray(details.referenceUrls).map(asString).filter((u): u is string => u !== undefined),
            fixAvailable: fixAvailable === 'YES' || fixAvailable === 'NO' || fixAvailable === 'PARTIAL' ? fixAvailable : undefined,
            ...(epss !== undefined ? { epssScore: epss } : {}),
          },
        ]
        : undefined,
    remediation: remediationText && remediationText !== 'None Provided'
      ? { text: remediationText, url: asString(recommendation.Url) ?? asString(recommendation.url) }
      : undefined,
    sourceUrl: asString(details.sourceUrl),
    firstObservedAt: toIsoTimestamp(f.firstObservedAt),
    lastObservedAt: toIsoTimestamp(f.lastObservedAt),
    productFields: {
      ...(arn ? { InspectorFindingArn: arn } : {}),
      ...(asString(f.inspectorScore) ? { InspectorScore: asString(f.inspectorScore)! } : {}),
      ...(status ? { InspectorStatus: status } : {}),
      ...(asString(f.exploitAvailable) ? { ExploitAvailable: asString(f.exploitAvailable)! } : {}),
    },
    closed: status === 'CLOSED',
    suppressed: status === 'SUPPRESSED' ? { reason: 'suppressed in Amazon Inspector', kind: 'external' } : undefined,
  };
}

function inspectorResource(r: Record<string, unknown>): DraftResource {
  const type = asString(r.type) ?? '';
  const id = asString(r.id) ?? 'unknown-resource';
  const image = asRecord(asRecord(r.details).awsEcrContainerImage);
  if (type === 'AWS_ECR_CONTAINER_IMAGE' && Object.keys(image).length > 0) {
    const tags = asArray(image.imageTags).map(asString).filter((t): t is string => t !== undefined);
    return {
      type: 'AwsEcrContainerImage',
      id,
      details: {
        AwsEcrContainerImage: {
          ...(asString(image.registry) ? { RegistryId: asString(image.registry) } : {}),
          ...(asString(image.repositoryName) ? { RepositoryName: asString(image.repositoryName) } : {}),
          ...(asString(image.imageHash) ? { ImageDigest: asString(image.imageHash) } : {}),
          ...(asString(image.architecture) ? { Architecture: asString(image.architecture) } : {}),
          ...(tags.length ? { ImageTags: tags } : {}),
        },
      },
    };
  }
  return { type: RESOURCE_TYPES[type] ?? 'Other', id };
}
