import { MalformedInputError } from '../../errors';
import { streamLines } from '../../streams/lines';
import type { ReportSource } from '../../streams/report-source';
import { portablePath } from '../code-location';
import { containerImageResource } from '../container-image';
import type { DraftResource, FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/**
 * clamscan rates nothing: a signature match is malware (or a planted test
 * file) shipped in the artifact, HIGH like a committed secret; a match of a
 * third-party database (`.UNOFFICIAL`) is recorded the same way, its
 * signature name tells where it came from.
 */
const CLAMAV_SEVERITIES: SeverityTable = { found: 'HIGH' };

/** ASFF type for malicious content in a scanned artifact. */
const MALWARE_TYPE = 'TTPs/Execution/Malicious File';

const SUMMARY_BANNER = /^-+ SCAN SUMMARY -+$/;
/** The per-file results clamscan prints besides FOUND (`-i` hides OK; errors name the file too). */
const OTHER_RESULT = / (OK|Empty file|ERROR|Excluded|Symbolic link)$/;
/** Lines of the summary block: `Known viruses: 8700000`, `Start Date: 2026:07:31 18:41:55`. */
const SUMMARY_LINE = /^[A-Z][A-Za-z ]+:\s/;
/** clamscan's own messages (`LibClamAV Warning: ...`, `WARNING: ...`), not file results. */
const MESSAGE_LINE = /^(LibClamAV |WARNING: |ERROR: )/;

/** The summary values kept on every finding. */
const SUMMARY_FIELDS: Readonly<Record<string, string>> = { 'Engine version': 'EngineVersion', 'Known viruses': 'KnownSignatures' };

/** One `<path>: <signature> FOUND` line. */
export interface ClamAvMatch {
  readonly path: string;
  readonly signature: string;
}

/** ClamAV `clamscan` text output (stdout), with or without `-i`, `--allmatch` and the summary block. */
export const clamavParser: Parser = {
  id: 'clamav',
  displayName: 'ClamAV',
  countingUnit:
    'one per FOUND line: a signature in one file (path as clamscan printed it); --allmatch gives one finding per signature of a file; a repeated ' +
    '(path, signature) counts once; OK and error lines and the summary are not findings',
  formats: ['clamscan text output (stdout), with or without --infected, --allmatch and the scan summary'],
  severityTable: CLAMAV_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (/^\s*[[{<]/.test(text)) return undefined;
    if (/^-+ SCAN SUMMARY -+$/m.test(text) && /^(Known viruses|Engine version|Infected files): /m.test(text)) return 0.95;
    if (/^[^\n]*: \S+ FOUND$/m.test(text)) return 0.5;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseClamAv(source, context);
  },
};

/**
 * The match on one line, or undefined. The path is everything before the last
 * `: ` (file names may hold colons and spaces); the signature is one word,
 * since ClamAV signature names never contain a space. Split with indexOf, not
 * a regex, so a 1 MiB line is one linear scan.
 */
export function parseClamAvLine(text: string): ClamAvMatch | undefined {
  if (!text.endsWith(' FOUND')) return undefined;
  const rest = text.slice(0, -' FOUND'.length);
  const separator = rest.lastIndexOf(': ');
  if (separator <= 0) return undefined;
  const signature = rest.slice(separator + 2);
  if (signature === '' || signature.includes(' ')) return undefined;
  return { path: rest.slice(0, separator), signature };
}

async function* parseClamAv(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  // The summary comes last, so matches are held until the end to carry the engine and database versions: a few
  // strings per infected file, never the scanned files' list.
  const matches: ClamAvMatch[] = [];
  const summary: Record<string, string> = {};
  const repeats = new RepeatFilter();
  let inSummary = false;
  let recognised = false;
  let unrecognised: number | undefined;
  for await (const line of streamLines(source)) {
    const text = line.text;
    if (text.trim() === '') continue;
    if (SUMMARY_BANNER.test(text.trim())) {
      inSummary = true;
      recognised = true;
      continue;
    }
    if (inSummary && SUMMARY_LINE.test(text)) {
      const colon = text.indexOf(':');
      const field = SUMMARY_FIELDS[text.slice(0, colon)];
      if (field !== undefined) summary[field] = text.slice(colon + 1).trim();
      continue;
    }
    const match = parseClamAvLine(text);
    if (match !== undefined) {
      recognised = true;
      if (repeats.first({ ruleId: match.signature, locationKey: match.path })) matches.push(match);
      continue;
    }
    if (OTHER_RESULT.test(text) && text.includes(': ')) {
      recognised = true;
      continue;
    }
    if (MESSAGE_LINE.test(text)) continue;
    unrecognised ??= line.number;
  }
  // `clamscan -i --no-summary` prints nothing for a clean scan: empty output is no finding, but lines that are
  // not clamscan's (another tool's report given to --tool clamav) are refused.
  if (!recognised && unrecognised !== undefined) {
    throw new MalformedInputError(`not clamscan output: line ${unrecognised} is not '<path>: <result>'`, 'unrecognised');
  }
  for (const match of matches) yield malwareFinding(match, summary, context);
}

function malwareFinding(match: ClamAvMatch, summary: Readonly<Record<string, string>>, context: ParseContext): FindingDraft {
  // `cd rootfs && clamscan -r .` prints `./usr/bin/x`: the path in the image is `usr/bin/x`.
  const path = portablePath(match.path).replace(/^\.\//, '');
  const unofficial = match.signature.endsWith('.UNOFFICIAL');
  const resources: DraftResource[] = [];
  if (context.scan.image) resources.push(containerImageResource(context.scan.image));
  resources.push({
    type: 'Other',
    id: context.scan.image ? `${context.scan.image}:${path}` : path,
    details: { Other: { file: path, signature: match.signature } },
  });
  return {
    ruleId: match.signature,
    locationKey: path,
    title: `Malware signature ${match.signature} in ${path}`,
    description: `ClamAV matched the signature ${match.signature}${unofficial ? ' (from a third-party database)' : ''} in ${path}. ` +
      'Remove the file from the artifact and find how it got there.',
    severity: severityFrom(CLAMAV_SEVERITIES, 'FOUND'),
    types: [MALWARE_TYPE],
    resources,
    remediation: {
      text: 'Remove the infected file, rebuild the artifact from a clean source, ' +
        'and check where the file came from (dependency, base image, build step).',
    },
    productFields: { File: path, Signature: match.signature, ...summary },
  };
}
