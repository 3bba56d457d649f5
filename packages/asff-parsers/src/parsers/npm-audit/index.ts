import type { Cvss, SoftwarePackage } from '@aws-sdk/client-securityhub';
import { FindingTypes, vulnerabilityType } from '../../asff/finding-types';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { asArray, asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { DraftVulnerability, FindingDraft, ParseContext, Parser, ReportHead } from '../parser';
import { severityFrom, VULNERABILITY_SEVERITIES } from '../severity';

/** Dependency paths listed in a description before "and N more". */
const MAX_LISTED_PATHS = 20;

/**
 * `npm audit --json`. npm 6 writes `{actions, advisories{<id>:...}, muted,
 * metadata}` (or `{error{code, summary}}` when it cannot audit); npm 7 and
 * later write `{auditReportVersion: 2, vulnerabilities{<package>:...}}`. The
 * version is recognised from the document itself.
 */
export const npmAuditParser: Parser = {
  id: 'npm-audit',
  displayName: 'npm audit',
  countingUnit:
    'npm 6: one per advisory (its module, every installed version and dependency path in the finding); npm 7+: one per vulnerable package, its ' +
    'advisories as Vulnerabilities[] (a package vulnerable only through another one is a finding too, as npm counts it)',
  formats: ['npm audit JSON (npm 6, advisories)', 'npm audit JSON (npm 7+, auditReportVersion 2)'],
  severityTable: VULNERABILITY_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text)) return undefined;
    if (/"auditReportVersion"\s*:\s*2/.test(text)) return 0.95;
    if (text.includes('"advisories"') && (text.includes('"actions"') || text.includes('"muted"') || text.includes('"runId"'))) return 0.9;
    if (/^\s*\{\s*"error"\s*:\s*\{/.test(text) && text.includes('"summary"') && /"code"\s*:\s*"E[A-Z0-9]+"/.test(text)) return 0.5;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseNpmAudit(source, context);
  },
};

async function* parseNpmAudit(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8');
  failOnAuditError(head, peeked.complete);
  // npm keys its vulnerabilities by package; a list there (even an empty one) is Clair's, Snyk's or Anchore's.
  if (/"vulnerabilities"\s*:\s*\[/.test(head) && !head.includes('"auditReportVersion"')) {
    throw new MalformedInputError('not an npm audit report: vulnerabilities is a list', 'unrecognised');
  }
  for await (const element of streamJsonElements(peeked.source, { elements: ['advisories.*', 'vulnerabilities.*'] })) {
    // Both are objects keyed by advisory id or package name; a list there is another scanner's (Snyk, Anchore, Clair).
    if (typeof element.path[1] === 'number') {
      throw new MalformedInputError(`not an npm audit report: ${element.selector.split('.')[0]} is a list`, 'unrecognised');
    }
    const entry = asRecord(element.value);
    yield element.selector === 'advisories.*' ? advisoryFinding(entry, context) : packageFinding(entry, String(element.path[1]), context);
  }
}

/** npm 6 reports its own failure (no lockfile, registry down) as JSON: that is not an empty audit. */
function failOnAuditError(head: string, complete: boolean): void {
  if (!complete || !/^\s*\{\s*"error"\s*:/.test(head.replace(/^\uFEFF/, ''))) return;
  let error: Record<string, unknown>;
  try {
    error = asRecord(asRecord(JSON.parse(head.replace(/^\uFEFF/, ''))).error);
  } catch {
    return;
  }
  throw new MalformedInputError(`npm audit did not run: ${joinNonEmpty([asString(error.code), asString(error.summary)], ': ') || 'unknown error'}`);
}

function advisoryFinding(advisory: Record<string, unknown>, context: ParseContext): FindingDraft {
  const id = asString(advisory.id);
  const module = asString(advisory.module_name);
  if (id === undefined || module === undefined) {
    throw new MalformedInputError('not an npm audit report: an advisory has no id or module_name', 'unrecognised');
  }
  const url = asString(advisory.url);
  const ruleId = ghsaIn(url) ?? `npm-advisory-${id}`;
  const title = asString(advisory.title) ?? ruleId;
  const patched = asString(advisory.patched_versions);
  const fixAvailable = patched !== undefined && patched !== '<0.0.0';
  const installs = asArray(advisory.findings).map(asRecord);
  const versions = [...new Set(installs.map((f) => asString(f.version)).filter((v): v is string => v !== undefined))];
  const paths = installs.flatMap((f) => asArray(f.paths).map(asString)).filter((p): p is string => p !== undefined);
  const cves = asArray(advisory.cves).map(asString).filter((c): c is string => c !== undefined);
  const cwes = cweList(advisory.cwe);
  const packages: SoftwarePackage[] = (versions.length ? versions : ['']).map((version) => ({
    Name: module,
    ...(version ? { Version: version } : {}),
    PackageManager: 'npm',
    ...(fixAvailable ? { FixedInVersion: patched } : {}),
  }));
  const vulnerabilityIds = cves.length ? cves : [ruleId];
  return {
    ruleId,
    locationKey: module,
    title: `${title} in ${module}${versions.length ? ` ${versions.join(', ')}` : ''}`,
    description: joinNonEmpty(
      [
        asString(advisory.overview) ?? title,
        `Vulnerable versions: ${asString(advisory.vulnerable_versions) ?? 'unknown'}; installed: ${versions.join(', ') || 'unknown'}.`,
        pathsText(paths),
      ],
      '\n\n',
    ),
    severity: severityFrom(VULNERABILITY_SEVERITIES, advisory.severity),
    types: [vulnerabilityType(vulnerabilityIds[0])],
    resources: (versions.length ? versions : ['']).map((version) => ({ type: 'Other', id: `pkg:npm/${module}${version ? `@${version}` : ''}` })),
    vulnerabilities: vulnerabilityIds.map((vulnerabilityId) => ({
      id: vulnerabilityId,
      vulnerablePackages: packages,
      relatedVulnerabilities: vulnerabilityIds.filter((other) => other !== vulnerabilityId),
      vendor: { name: 'npm', ...(url ? { url } : {}), ...(asString(advisory.severity) ? { severity: asString(advisory.severity) } : {}) },
      referenceUrls: url ? [url] : [],
      fixAvailable: fixAvailable ? 'YES' : 'NO',
    })),
    remediation: {
      text: asString(advisory.recommendation) ?? (fixAvailable ? `Upgrade ${module} to ${patched}.` : `No fixed version of ${module} is known.`),
      url,
    },
    sourceUrl: url,
    productFields: {
      Package: module,
      AdvisoryId: id,
      ...(cwes.length ? { CWE: cwes.join(', ') } : {}),
      ...(context.scan.repository ? { Manifest: `${context.scan.repository}/package-lock.json` } : {}),
    },
  };
}

function packageFinding(entry: Record<string, unknown>, key: string, context: ParseContext): FindingDraft {
  const name = asString(entry.name) ?? key;
  if (!Array.isArray(entry.via) && asString(entry.severity) === undefined) {
    throw new MalformedInputError(`not an npm audit report: vulnerabilities.${key} has neither via nor severity`, 'unrecognised');
  }
  const advisories = asArray(entry.via).filter((v) => typeof v === 'object' && v !== null).map(asRecord);
  const throughPackages = asArray(entry.via).map((v) => (typeof v === 'string' ? v : undefined)).filter((v): v is string => v !== undefined);
  const nodes = asArray(entry.nodes).map(asString).filter((n): n is string => n !== undefined);
  const range = asString(entry.range);
  const fix = fixOf(entry.fixAvailable, name);
  const vulnerabilities: DraftVulnerability[] = advisories.map((advisory) => {
    const url = asString(advisory.url);
    const cvss = cvssOf(asRecord(advisory.cvss));
    return {
      id: ghsaIn(url) ?? `npm-advisory-${asString(advisory.source) ?? 'unknown'}`,
      vulnerablePackages: [{
        Name: asString(advisory.name) ?? name,
        PackageManager: 'npm',
        ...(asString(advisory.range) ? { Version: asString(advisory.range) } : {}),
      }],
      ...(cvss ? { cvss: [cvss] } : {}),
      vendor: { name: 'npm', ...(url ? { url } : {}), ...(asString(advisory.severity) ? { severity: asString(advisory.severity) } : {}) },
      referenceUrls: url ? [url] : [],
      fixAvailable: fix.available,
    };
  });
  const advisoryLines = advisories.map(
    (a) => `- ${asString(a.title) ?? 'advisory'} (${asString(a.severity) ?? 'unknown'}${asString(a.url) ? `, ${asString(a.url)}` : ''})`,
  );
  const listedNodes = nodes.slice(0, MAX_LISTED_PATHS).join(', ');
  const cwes = [...new Set(advisories.flatMap((a) => cweList(a.cwe)))];
  const firstId = vulnerabilities[0]?.id;
  return {
    ruleId: 'vulnerable-package',
    locationKey: name,
    title: advisories.length
      ? `${name}: ${asString(advisories[0].title) ?? 'vulnerable package'}` +
        `${advisories.length > 1 ? ` (+${advisories.length - 1} more advisories)` : ''}`
      : `${name} is vulnerable through ${throughPackages.join(', ') || 'a dependency'}`,
    description: joinNonEmpty(
      [
        advisoryLines.length ? `Advisories affecting ${name}${range ? ` ${range}` : ''}:\n${advisoryLines.join('\n')}` : undefined,
        throughPackages.length ? `Vulnerable through: ${throughPackages.join(', ')}.` : undefined,
        nodes.length
          ? `Installed at: ${listedNodes}${nodes.length > MAX_LISTED_PATHS ? ` and ${nodes.length - MAX_LISTED_PATHS} more` : ''}.`
          : undefined,
        fix.text,
      ],
      '\n\n',
    ),
    severity: severityFrom(VULNERABILITY_SEVERITIES, entry.severity),
    types: [firstId === undefined ? FindingTypes.PACKAGE_VULNERABILITY : vulnerabilityType(firstId)],
    resources: [{
      type: 'Other',
      id: `pkg:npm/${name}`,
      details: { Other: { ...(range ? { range } : {}), ...(nodes.length ? { nodes: listedNodes } : {}) } },
    }],
    vulnerabilities,
    remediation: { text: fix.text },
    productFields: {
      Package: name,
      Direct: String(entry.isDirect === true),
      ...(cwes.length ? { CWE: cwes.join(', ') } : {}),
      ...(throughPackages.length ? { Via: throughPackages.join(', ') } : {}),
      ...(context.scan.repository ? { Manifest: `${context.scan.repository}/package-lock.json` } : {}),
    },
  };
}

/** `fixAvailable` is true, false, or the package upgrade that fixes it. */
function fixOf(value: unknown, name: string): { available: 'YES' | 'NO'; text: string } {
  if (value === true) return { available: 'YES', text: `Run npm audit fix to upgrade ${name}.` };
  const upgrade = asRecord(value);
  const target = asString(upgrade.name);
  if (target !== undefined) {
    const major = upgrade.isSemVerMajor === true ? ' (a semver-major upgrade: check for breaking changes)' : '';
    return { available: 'YES', text: `Upgrade ${target} to ${asString(upgrade.version) ?? 'a fixed version'}${major}.` };
  }
  return { available: 'NO', text: `No fix is available for ${name}.` };
}

function cvssOf(cvss: Record<string, unknown>): Cvss | undefined {
  const score = asNumber(cvss.score);
  if (score === undefined || score <= 0) return undefined;
  const vector = asString(cvss.vectorString);
  return { BaseScore: score, ...(vector ? { BaseVector: vector, Version: /^CVSS:(\d\.\d)/.exec(vector)?.[1] } : {}) };
}

/** `cwe` is null, a string, or a list. */
function cweList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(asString).filter((c): c is string => c !== undefined);
  const single = asString(value);
  return single === undefined ? [] : [single];
}

function ghsaIn(url: string | undefined): string | undefined {
  return url === undefined ? undefined : /GHSA(-[0-9a-z]{4}){3}/i.exec(url)?.[0];
}

function pathsText(paths: readonly string[]): string | undefined {
  if (paths.length === 0) return undefined;
  const listed = paths.slice(0, MAX_LISTED_PATHS).map((p) => `- ${p}`);
  const more = paths.length > MAX_LISTED_PATHS ? `\n… and ${paths.length - MAX_LISTED_PATHS} more paths` : '';
  return `Dependency paths:\n${listed.join('\n')}${more}`;
}
