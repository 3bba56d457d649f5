import type { Cvss } from '@aws-sdk/client-securityhub';
import { imageRepository } from '../../asff/finding-id';
import { FindingTypes, vulnerabilityType } from '../../asff/finding-types';
import { secretFingerprint } from '../../asff/redact';
import { sha256Hex } from '../../asff/sha256';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { containerImageResource } from '../container-image';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom, VULNERABILITY_SEVERITIES } from '../severity';

/** References kept per vulnerability; Trivy lists dozens of mirrors of the same advisory. */
const MAX_REFERENCES = 20;

const KINDS = ['Vulnerabilities', 'Misconfigurations', 'Secrets', 'Licenses'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Trivy `--format json` in its three shapes: the legacy top-level array
 * (< 0.20), `SchemaVersion: 2` (image, filesystem, repository, config scans)
 * and the Kubernetes cluster report (`ClusterName` with `Resources[]`, or the
 * older `Vulnerabilities[]`/`Misconfigurations[]` grouping).
 */
export const trivyParser: Parser = {
  id: 'trivy',
  displayName: 'Trivy',
  countingUnit:
    'one per vulnerability per package install (id, package, version, package path), per failed misconfiguration per cause (check, file or ' +
    'Kubernetes resource, lines, message), per secret per file span, per license per package; passed misconfigurations are not findings; every ' +
    'Kubernetes resource is its own scope',
  formats: ['Trivy JSON legacy array', 'Trivy JSON SchemaVersion 2', 'Trivy Kubernetes cluster report'],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    // An empty report carries no tool marker; a file name that names the tool is the only honest hint.
    if (head.complete && ['null', '[]'].includes(text.replace(/\s+/g, '')) && /trivy/i.test(head.fileName?.split(/[\\/]/).pop() ?? '')) return 0.3;
    if (/^\s*\{/.test(text)) {
      if (/"SchemaVersion"\s*:\s*2\b/.test(text) && (text.includes('"ArtifactName"') || text.includes('"Results"'))) return 0.95;
      if (text.includes('"ClusterName"') && /"(Resources|Vulnerabilities|Misconfigurations)"/.test(text)) return 0.9;
      return undefined;
    }
    if (
      /^\s*\[\s*\{\s*"Target"\s*:/.test(text)
      || (/^\s*\[/.test(text) && text.includes('"Target"') && text.includes('"VulnerabilityID"'))
    ) {
      return 0.9;
    }
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseTrivy(source, context);
  },
};

/** Where a result sits: its target and, in a cluster report, the Kubernetes resource. */
interface ResultScope {
  readonly target: string;
  readonly resultClass?: string;
  readonly resultType?: string;
  readonly artifact?: string;
  /** `container_image` when the report is of an image: its files are in the image, not the repository. */
  readonly artifactType?: string;
  readonly workload?: { readonly cluster?: string; readonly namespace?: string; readonly kind?: string; readonly name?: string };
}

async function* parseTrivy(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8').replace(/^\uFEFF/, '');
  if (peeked.complete && ['null', '[]'].includes(head.replace(/\s+/g, ''))) return;
  if (trivyParser.detect({ text: head, complete: peeked.complete }) === undefined) {
    throw new MalformedInputError('not a Trivy report: expected SchemaVersion 2, a ClusterName or a legacy array of targets', 'unrecognised');
  }
  const selection = {
    elements: [
      '*.Vulnerabilities.*',
      ...KINDS.map((kind) => `Results.*.${kind}.*`),
      ...KINDS.map((kind) => `*.*.Results.*.${kind}.*`),
    ],
    capture: [
      'ArtifactName', 'ArtifactType', 'ClusterName',
      '*.Target', '*.Type',
      'Results.*.Target', 'Results.*.Class', 'Results.*.Type',
      '*.*.Namespace', '*.*.Kind', '*.*.Name', '*.*.Results.*.Target', '*.*.Results.*.Class', '*.*.Results.*.Type',
    ],
    requireContainer: false,
  };
  const repeats = new RepeatFilter();
  const bounded = new BoundedTarget();
  for await (const element of streamJsonElements(peeked.source, selection)) {
    const item = asRecord(element.value);
    const c = element.captured;
    let kind: Kind;
    let scope: ResultScope;
    if (element.selector === '*.Vulnerabilities.*') {
      if (typeof element.path[0] !== 'number') continue;
      kind = 'Vulnerabilities';
      scope = { target: bounded.of(asString(c['*.Target'])), resultType: asString(c['*.Type']) };
    } else if (element.selector.startsWith('Results.')) {
      kind = element.path[2] as Kind;
      scope = {
        target: bounded.of(asString(c['Results.*.Target'])),
        resultClass: asString(c['Results.*.Class']),
        resultType: asString(c['Results.*.Type']),
        artifact: asString(c.ArtifactName),
        artifactType: asString(c.ArtifactType),
      };
    } else {
      kind = element.path[4] as Kind;
      scope = {
        target: bounded.of(asString(c['*.*.Results.*.Target'])),
        resultClass: asString(c['*.*.Results.*.Class']),
        resultType: asString(c['*.*.Results.*.Type']),
        workload: {
          cluster: asString(c.ClusterName),
          namespace: asString(c['*.*.Namespace']),
          kind: asString(c['*.*.Kind']),
          name: asString(c['*.*.Name']),
        },
      };
    }
    const draft = toFinding(kind, item, scope, context);
    if (draft === undefined || !repeats.first(draft)) continue;
    yield draft;
  }
}

/** Longest target used as it is; real targets (image references, lock file paths) are far shorter. */
export const MAX_TARGET_CHARS = 4096;

/**
 * A result's target goes into every finding of the result (location key,
 * description, resources), so a 1 MiB target would be hashed and copied once
 * per finding. A longer target is cut and ends with a digest of the whole, so
 * two long targets stay apart; the digest is computed once per result.
 */
class BoundedTarget {
  private last: { readonly raw: string; readonly bounded: string } | undefined;

  of(raw: string | undefined): string {
    if (raw === undefined) return 'unknown-target';
    if (raw.length <= MAX_TARGET_CHARS) return raw;
    if (this.last?.raw !== raw) this.last = { raw, bounded: `${raw.slice(0, MAX_TARGET_CHARS - 64)} …[sha256:${sha256Hex(raw).slice(0, 16)}]` };
    return this.last.bounded;
  }
}

function toFinding(kind: Kind, item: Record<string, unknown>, scope: ResultScope, context: ParseContext): FindingDraft | undefined {
  switch (kind) {
    case 'Vulnerabilities':
      return vulnerabilityFinding(item, scope, context);
    case 'Misconfigurations':
      return misconfigurationFinding(item, scope, context);
    case 'Secrets':
      return secretFinding(item, scope, context);
    case 'Licenses':
      return licenseFinding(item, scope, context);
    default:
      return undefined;
  }
}

function vulnerabilityFinding(v: Record<string, unknown>, scope: ResultScope, context: ParseContext): FindingDraft {
  const id = asString(v.VulnerabilityID);
  if (id === undefined) throw new MalformedInputError('not a Trivy report: a vulnerability has no VulnerabilityID', 'unrecognised');
  const name = asString(v.PkgName) ?? 'unknown-package';
  const version = asString(v.InstalledVersion);
  const fixed = asString(v.FixedVersion);
  const pkgPath = asString(v.PkgPath);
  const purl = asString(asRecord(v.PkgIdentifier).PURL);
  const status = asString(v.Status);
  const references = asArray(v.References).map(asString).filter((r): r is string => r !== undefined);
  const primaryUrl = asString(v.PrimaryURL);
  const cwes = asArray(v.CweIDs).map(asString).filter((c): c is string => c !== undefined);
  const packageId = purl ?? `${name}@${version ?? ''}`;
  const resources: DraftResource[] = [
    ...scopeResources(scope, context),
    {
      type: 'Other',
      id: packageId,
      details: { Other: { package: `${name}@${version ?? ''}`, ...(pkgPath ? { path: pkgPath } : {}), target: scope.target } },
    },
  ];
  return {
    ruleId: id,
    locationKey: joinNonEmpty([workloadKey(scope), targetKey(scope), name, version, pkgPath], '|'),
    title: `${id} in ${name}${version ? ` ${version}` : ''}${asString(v.Title) ? `: ${asString(v.Title)}` : ''}`,
    description: joinNonEmpty([
      asString(v.Description) ?? asString(v.Title) ?? `${id} affects ${name} ${version ?? ''}.`,
      `Target: ${scope.target}${pkgPath ? ` (${pkgPath})` : ''}.`,
    ], '\n\n'),
    severity: severityFrom(VULNERABILITY_SEVERITIES, v.Severity),
    types: [vulnerabilityType(id)],
    resources,
    vulnerabilities: [
      {
        id,
        vulnerablePackages: [{
          Name: name,
          ...(version ? { Version: version } : {}),
          ...(scope.resultType ? { PackageManager: scope.resultType } : {}),
          ...(pkgPath ? { FilePath: pkgPath } : {}),
          ...(fixed ? { FixedInVersion: fixed } : {}),
        }],
        cvss: cvssOf(asRecord(v.CVSS)),
        vendor: { name: asString(asRecord(v.DataSource).Name) ?? asString(v.SeveritySource) ?? 'Trivy', ...(primaryUrl ? { url: primaryUrl } : {}) },
        referenceUrls: [...new Set([...(primaryUrl ? [primaryUrl] : []), ...references])].slice(0, MAX_REFERENCES),
        fixAvailable: fixed ? 'YES' : status === 'will_not_fix' || status === 'end_of_life' || status === 'affected' ? 'NO' : undefined,
      },
    ],
    remediation: fixed ? { text: `Upgrade ${name} to ${fixed}.` } : undefined,
    sourceUrl: primaryUrl,
    productFields: {
      Target: scope.target,
      Package: `${name}@${version ?? ''}`,
      ...(status ? { Status: status } : {}),
      ...(cwes.length ? { CWE: cwes.join(', ') } : {}),
      ...(asString(asRecord(v.Layer).DiffID) ? { LayerDiffId: asString(asRecord(v.Layer).DiffID)! } : {}),
      ...workloadFields(scope),
    },
    suppressed: status === 'not_affected' ? { reason: 'VEX status not_affected', kind: 'external' } : undefined,
  };
}

function misconfigurationFinding(m: Record<string, unknown>, scope: ResultScope, context: ParseContext): FindingDraft | undefined {
  const status = asString(m.Status)?.toUpperCase();
  if (status === 'PASS') return undefined;
  const id = asString(m.ID) ?? asString(m.AVDID);
  if (id === undefined) throw new MalformedInputError('not a Trivy report: a misconfiguration has no ID', 'unrecognised');
  const cause = asRecord(m.CauseMetadata);
  const start = asNumber(cause.StartLine);
  const end = asNumber(cause.EndLine);
  const lines = start === undefined ? undefined : `${start}-${end ?? start}`;
  const message = asString(m.Message);
  const causeResource = asString(cause.Resource);
  const title = asString(m.Title) ?? id;
  const references = asArray(m.References).map(asString).filter((r): r is string => r !== undefined);
  const primaryUrl = asString(m.PrimaryURL) ?? references[0];
  return {
    ruleId: id,
    locationKey: joinNonEmpty([workloadKey(scope), scope.target, causeResource, lines, message], '|'),
    title: `${id}: ${title}`,
    description: joinNonEmpty([
      asString(m.Description) ?? title,
      message,
      `In ${scope.target}${lines ? ` (lines ${lines})` : ''}${causeResource ? `, resource ${causeResource}` : ''}.`,
    ], '\n\n'),
    severity: severityFrom(VULNERABILITY_SEVERITIES, m.Severity),
    types: [FindingTypes.CONFIGURATION],
    resources: fileResources(scope, context, scope.target, start),
    remediation: asString(m.Resolution) || primaryUrl ? { text: asString(m.Resolution), url: primaryUrl } : undefined,
    sourceUrl: primaryUrl,
    productFields: {
      Target: scope.target,
      ...(lines ? { Lines: lines } : {}),
      ...(causeResource ? { Resource: causeResource } : {}),
      ...(asString(m.AVDID) && asString(m.AVDID) !== id ? { AVDID: asString(m.AVDID)! } : {}),
      ...(asString(m.Type) ? { CheckType: asString(m.Type)! } : {}),
      ...workloadFields(scope),
    },
    suppressed: status === 'EXCEPTION' ? { reason: 'accepted as an exception in the Trivy policy', kind: 'external' } : undefined,
  };
}

function secretFinding(s: Record<string, unknown>, scope: ResultScope, context: ParseContext): FindingDraft {
  const ruleId = asString(s.RuleID);
  if (ruleId === undefined) throw new MalformedInputError('not a Trivy report: a secret has no RuleID', 'unrecognised');
  const start = asNumber(s.StartLine);
  const end = asNumber(s.EndLine);
  const lines = start === undefined ? undefined : `${start}-${end ?? start}`;
  const match = asString(s.Match);
  const where = `${scope.target}${start === undefined ? '' : `:${start}`}`;
  // Trivy masks the value in Match and Code, but masking rules vary by version: neither is copied,
  // and both are handed to the builder as secrets in case any other field echoes them.
  const exposed = [
    match,
    ...asArray(asRecord(s.Code).Lines).flatMap((l) => [asString(asRecord(l).Content), asString(asRecord(l).Highlighted)]),
  ].filter(
    (t): t is string => t !== undefined && t.trim().length >= 4,
  );
  const fingerprint = match === undefined ? undefined : secretFingerprint(match);
  return {
    ruleId,
    locationKey: joinNonEmpty([workloadKey(scope), scope.target, lines, fingerprint], '|'),
    title: `Secret (${asString(s.Title) ?? ruleId}) in ${where}`,
    description: joinNonEmpty([
      `Trivy rule ${ruleId}${asString(s.Category) ? ` (${asString(s.Category)})` : ''} ` +
        `matched a secret in ${where}${lines ? ` (lines ${lines})` : ''}.`,
      'The value is withheld; rotate the secret and remove it from the source or image.',
    ], '\n\n'),
    severity: severityFrom(VULNERABILITY_SEVERITIES, s.Severity),
    types: [FindingTypes.SECRET],
    resources: fileResources(scope, context, scope.target, start),
    remediation: {
      text: 'Revoke and rotate the secret, then keep it in AWS Secrets Manager or SSM Parameter Store (SecureString) instead of the source or image.',
    },
    productFields: {
      Target: scope.target,
      ...(lines ? { Lines: lines } : {}),
      ...(fingerprint ? { MatchFingerprint: fingerprint } : {}),
      ...(asString(asRecord(s.Layer).DiffID) ? { LayerDiffId: asString(asRecord(s.Layer).DiffID)! } : {}),
      ...workloadFields(scope),
    },
    secrets: exposed,
  };
}

function licenseFinding(l: Record<string, unknown>, scope: ResultScope, context: ParseContext): FindingDraft {
  const name = asString(l.Name);
  if (name === undefined) throw new MalformedInputError('not a Trivy report: a license has no Name', 'unrecognised');
  const pkg = asString(l.PkgName);
  const file = asString(l.FilePath);
  const category = asString(l.Category);
  const subject = pkg ?? file ?? scope.target;
  const link = asString(l.Link);
  return {
    ruleId: `license/${name}`,
    locationKey: joinNonEmpty([workloadKey(scope), targetKey(scope), pkg, file], '|'),
    title: `License ${name}${category ? ` (${category})` : ''} in ${subject}`,
    description: `${subject} is distributed under ${name}${category ? `, a license Trivy classifies as ${category}` : ''}. Target: ${scope.target}.`,
    severity: severityFrom(VULNERABILITY_SEVERITIES, l.Severity),
    types: [FindingTypes.CONFIGURATION],
    resources: file
      ? fileResources(scope, context, file, undefined)
      : scope.workload ? workloadResources(scope) : [{ type: 'Other', id: pkg ? `package:${pkg}` : scope.target }],
    remediation: link ? { text: `Review whether ${name} is acceptable for this distribution.`, url: link } : undefined,
    productFields: {
      Target: scope.target,
      License: name,
      ...(category ? { Category: category } : {}),
      ...(pkg ? { Package: pkg } : {}),
      ...workloadFields(scope),
    },
  };
}

/**
 * An OS-package target names the image with its tag (`app:1.4 (alpine 3.19)`):
 * the tag changes every build, the image repository and the OS family do
 * not. Two images of one workload stay apart by their repositories. Language
 * and file targets are paths and stay as they are.
 */
function targetKey(scope: ResultScope): string {
  const os = splitOsTarget(scope.target);
  if (scope.resultClass === 'os-pkgs' || os !== undefined) return `os:${imageRepository(os?.image)}:${scope.resultType ?? os?.family ?? ''}`;
  return scope.target;
}

/** No image reference with its OS is longer: a longer target is a path, or a crafted report. */
const MAX_OS_TARGET_CHARS = 2048;

/**
 * Splits an OS-package target, `image:tag (family version)`, as
 * `/^(.*?)\s\(([a-z][\w-]*)\s[^)]*\)$/i` would, without that regex: the target
 * is report-controlled, and the regex rescans the rest of the target at every
 * ` (` (a 25 KB target with 100 findings took 40 s). Each `(` and the word
 * after it are read once.
 */
export function splitOsTarget(target: string): { readonly image: string; readonly family: string } | undefined {
  const last = target.length - 1;
  if (target.length > MAX_OS_TARGET_CHARS || target[last] !== ')') return undefined;
  // `[^)]*\)$`: the `(` of the OS part comes after every `)` but the last.
  const after = target.lastIndexOf(')', last - 1) + 1;
  // `.` matches no line terminator, so the image ends before the first one.
  const lineBreak = target.search(/[\n\r\u2028\u2029]/);
  for (let open = target.indexOf('(', Math.max(after, 1)); open >= 0 && open < last; open = target.indexOf('(', open + 1)) {
    if (lineBreak >= 0 && lineBreak < open - 1) return undefined;
    if (!/\s/.test(target[open - 1]) || !isAsciiLetter(target.charCodeAt(open + 1))) continue;
    let end = open + 2;
    while (end < last && isWordOrDash(target.charCodeAt(end))) end++;
    if (end < last && /\s/.test(target[end])) return { image: target.slice(0, open - 1), family: target.slice(open + 1, end) };
  }
  return undefined;
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isWordOrDash(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || code === 0x5f || code === 0x2d;
}

function workloadKey(scope: ResultScope): string | undefined {
  const w = scope.workload;
  return w === undefined ? undefined : `k8s:${w.namespace ?? ''}/${w.kind ?? ''}/${w.name ?? ''}`;
}

function workloadFields(scope: ResultScope): Record<string, string> {
  const w = scope.workload;
  if (w === undefined) return {};
  return {
    ...(w.cluster ? { Cluster: w.cluster } : {}),
    ...(w.namespace ? { Namespace: w.namespace } : {}),
    ...(w.kind ? { Kind: w.kind } : {}),
    ...(w.name ? { Name: w.name } : {}),
  };
}

function workloadResources(scope: ResultScope): DraftResource[] {
  const w = scope.workload!;
  return [{ type: 'Other', id: `k8s://${w.cluster ?? 'cluster'}/${w.namespace ? `${w.namespace}/` : ''}${w.kind ?? 'resource'}/${w.name ?? 'unknown'}`, details: { Other: { ...workloadFields(scope) } } }];
}

/** The image a vulnerability is in: the command line's, else the report's own artifact or target. */
function scopeResources(scope: ResultScope, context: ParseContext): DraftResource[] {
  const resources: DraftResource[] = scope.workload ? workloadResources(scope) : [];
  const fromTarget = splitOsTarget(scope.target)?.image;
  const image = context.scan.image ?? (scope.artifactType === 'container_image' ? scope.artifact : undefined) ?? fromTarget;
  if (image) resources.push(containerImageResource(image));
  return resources;
}

/**
 * Where a misconfiguration, secret or license file is: the Kubernetes
 * resource in a cluster report, the image and the path inside it in an image
 * scan, else `repository/path:line` in the scanned source.
 */
function fileResources(scope: ResultScope, context: ParseContext, path: string, line: number | undefined): DraftResource[] {
  if (scope.workload) return workloadResources(scope);
  const image = context.scan.image ?? (scope.artifactType === 'container_image' ? scope.artifact : undefined);
  if (image === undefined) return [{ type: 'Other', id: codeLocationId(context.scan, path, line) }];
  const inImage = `${portablePath(path).replace(/^\/*/, '/')}${line === undefined ? '' : `:${line}`}`;
  return [
    containerImageResource(image),
    { type: 'Other', id: `${image}:${inImage}`, details: { Other: { image, path: inImage } } },
  ];
}

function cvssOf(cvss: Record<string, unknown>): Cvss[] {
  const out: Cvss[] = [];
  for (const [source, raw] of Object.entries(cvss)) {
    const entry = asRecord(raw);
    const versions: [string, unknown, unknown][] = [
      ['4.0', entry.V40Score, entry.V40Vector],
      ['3', entry.V3Score, entry.V3Vector],
      ['2.0', entry.V2Score, entry.V2Vector],
    ];
    for (const [version, score, vector] of versions) {
      const baseScore = asNumber(score);
      if (baseScore === undefined) continue;
      const baseVector = asString(vector);
      const exact = version === '3' ? (/^CVSS:(3\.\d)/.exec(baseVector ?? '')?.[1] ?? '3.x') : version;
      out.push({ Version: exact, BaseScore: baseScore, ...(baseVector ? { BaseVector: baseVector } : {}), Source: source });
    }
  }
  return out;
}

