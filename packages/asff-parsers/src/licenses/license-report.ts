import { evaluateLicenses, LicenseRules, LicenseViolation } from './license-rules';
import { sbomComponents, SbomComponent, SbomSubject } from './sbom-components';
import { LicenseExpression, parseLicenseExpression } from './spdx-expression';
import type { ReportSource } from '../streams/report-source';

/**
 * The licence report: the verdicts of one stage's licence rules on one SBOM. It is a report like a scanner's,
 * read by the `sbom-licenses` parser, so that the findings processor turns it into the same findings as the build
 * without the policy: the rules it was judged with travel inside it.
 *
 * ```json
 * {"licenseReport":"asff-sbom-licenses/1","stage":"image","sbom":{"file":"image/sbom.json","format":"CycloneDX 1.6","subject":"app:3"},
 *  "rules":{"deny":["GPL-3.0-only"],"severity":"HIGH","unlicensed":"report"},
 *  "violations":[{"component":{"name":"x","version":"1","purl":"pkg:deb/debian/x@1"},"declared":["GPL-3.0-only"],
 *                 "license":"GPL-3.0-only","reason":"denied","severity":"HIGH"}],
 *  "summary":{"components":120,"violations":1}}
 * ```
 */
export const LICENSE_REPORT_FORMAT = 'asff-sbom-licenses/1';

/** A declared licence longer than this is cut in the report (it is the SBOM's text, not ours). */
const MAX_DECLARED_CHARS = 512;

/**
 * Each violation repeats the package's declared licences, at most this many: a package declaring thousands of
 * licences, each violated, must not make the report grow with their square.
 */
const MAX_DECLARED_LICENSES = 20;

export interface LicenseReportOptions {
  readonly sbom: ReportSource;
  /** The SBOM's file name, recorded in the report. */
  readonly sbomFile: string;
  readonly stage: string;
  /** The image the SBOM describes (its id or reference), recorded as the report's subject; default the SBOM's own. */
  readonly image?: string;
  /** Undefined: the policy sets no licence rule for the stage; the report then lists no violation. */
  readonly rules?: LicenseRules;
  /** Receives the report, piece by piece, in order. */
  readonly write: (text: string) => Promise<void>;
}

export interface LicenseReportSummary {
  readonly components: number;
  readonly violations: number;
  /** Violations per licence, most frequent first. */
  readonly byLicense: readonly [string, number][];
}

/**
 * Judges every package of the SBOM with the rules and writes the report, streaming: one component in memory at
 * a time, each violation written as soon as it is found. Linear in the SBOM's size.
 */
export async function writeLicenseReport(options: LicenseReportOptions): Promise<LicenseReportSummary> {
  const { rules, write } = options;
  let subject: SbomSubject | undefined;
  let components = 0;
  let violations = 0;
  const byLicense = new Map<string, number>();
  let opened = false;
  const open = async (): Promise<void> => {
    if (opened) return;
    opened = true;
    await write(`{"licenseReport":${JSON.stringify(LICENSE_REPORT_FORMAT)},"stage":${JSON.stringify(options.stage)},`
      + `"sbom":${JSON.stringify({ file: options.sbomFile, format: subject?.format, subject: options.image ?? subject?.name })},`
      + `"rules":${JSON.stringify(rules ?? null)},\n"violations":[`);
  };
  if (rules !== undefined) {
    for await (const component of sbomComponents(options.sbom, (s) => (subject = s))) {
      components++;
      const found = evaluateLicenses(component.licenses.map(expressionOf), rules);
      if (found.length > 0) await open();
      for (const violation of found) {
        await write(`${violations === 0 ? '\n' : ',\n'}${JSON.stringify(violationEntry(component, violation))}`);
        violations++;
        byLicense.set(violation.license, (byLicense.get(violation.license) ?? 0) + 1);
      }
    }
  }
  await open();
  await write(`\n],\n"summary":${JSON.stringify({ components, violations })}}\n`);
  return { components, violations, byLicense: [...byLicense].sort((a, b) => b[1] - a[1]) };
}

/** A declared licence that is no SPDX expression (`GPL v2`, `see LICENSE`) is one licence nobody can judge. */
function expressionOf(declared: string): LicenseExpression {
  const parsed = parseLicenseExpression(declared);
  return parsed.ok ? parsed.expression : { kind: 'license', id: declared.trim().replace(/\s+/g, ' ').slice(0, MAX_DECLARED_CHARS), known: false };
}

function violationEntry(component: SbomComponent, violation: LicenseViolation): Record<string, unknown> {
  return {
    component: { name: component.name, version: component.version, purl: component.purl, ref: component.ref, type: component.type },
    declared: component.licenses.slice(0, MAX_DECLARED_LICENSES).map((l) => l.slice(0, MAX_DECLARED_CHARS)),
    license: violation.license,
    reason: violation.reason,
    severity: violation.severity,
  };
}
