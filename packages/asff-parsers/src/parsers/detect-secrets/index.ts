import { FindingTypes } from '../../asff/finding-types';
import { secretFingerprint } from '../../asff/redact';
import { MalformedInputError } from '../../errors';
import { streamJsonElements } from '../../streams/json-elements';
import { peekSource, type ReportSource } from '../../streams/report-source';
import { codeLocationId, portablePath } from '../code-location';
import { asNumber, asRecord, asString, joinNonEmpty } from '../json-values';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';
import { RepeatFilter } from '../repeat-filter';
import { severityFrom } from '../severity';

/**
 * detect-secrets rates nothing: a committed secret is HIGH (it must be
 * rotated, whatever it guards), recorded as Severity.Original `unrated`.
 */
const DETECT_SECRETS_SEVERITIES: SeverityTable = { unrated: 'HIGH' };

/**
 * detect-secrets `scan` JSON (a baseline file):
 * `{version, plugins_used[], filters_used[], results{<file>: [{type, filename, hashed_secret, is_verified, line_number, is_secret?}]}, generated_at}`.
 */
export const detectSecretsParser: Parser = {
  id: 'detect-secrets',
  displayName: 'detect-secrets',
  countingUnit:
    'one per results{<file>}[] entry: a detector type at one file and line for one secret (by hash); an entry repeated verbatim counts once; the ' +
    'secret and its hash never appear, only a fingerprint of the hash',
  formats: ['detect-secrets scan JSON (baseline), 0.x and 1.x'],
  severityTable: DETECT_SECRETS_SEVERITIES,
  detect(head: ReportHead): number | undefined {
    const text = head.text;
    if (!/^\s*\{/.test(text) || !/"results"\s*:/.test(text)) return undefined;
    if (/"plugins_used"\s*:/.test(text) && (/"filters_used"\s*:/.test(text) || /"hashed_secret"\s*:/.test(text))) return 0.95;
    if (/"hashed_secret"\s*:/.test(text) && /"line_number"\s*:/.test(text)) return 0.8;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseDetectSecrets(source, context);
  },
};

async function* parseDetectSecrets(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  const peeked = await peekSource(source);
  const head = peeked.head.toString('utf8');
  // A clean scan is `"results": {}`, which has no `results.*` container for the reader to find, so the report
  // is recognised by its head instead: a JSON object with the keys only detect-secrets writes. `results` follows
  // the plugin and filter lists, so it may lie beyond the head of a long report; a whole report must have it.
  const markers = /"(plugins_used|filters_used|hashed_secret)"\s*:/.test(head) && (!peeked.complete || /"results"\s*:/.test(head));
  if (!/^\s*\{/.test(head.replace(/^\uFEFF/, '')) || !markers) {
    throw new MalformedInputError('not a detect-secrets report: expected {results, plugins_used, ...}', 'unrecognised');
  }
  const repeats = new RepeatFilter();
  // `results` is keyed by file path: `results.*.*` is every secret of every file, one at a time.
  for await (const element of streamJsonElements(peeked.source, { elements: ['results.*.*'], requireContainer: false })) {
    const entry = asRecord(element.value);
    const draft = secretFinding(entry, String(element.path[1]), context);
    if (repeats.first(draft)) yield draft;
  }
}

function secretFinding(entry: Record<string, unknown>, fileKey: string, context: ParseContext): FindingDraft {
  const type = asString(entry.type) ?? 'Secret';
  const file = portablePath(asString(entry.filename) ?? fileKey);
  const line = asNumber(entry.line_number);
  // The report only holds a SHA-1 of the secret: a short secret is recovered from it by brute force, so the hash
  // is treated as the secret itself — redacted everywhere, known by the fingerprint of the hash.
  const hashed = asString(entry.hashed_secret);
  const fingerprint = hashed !== undefined ? secretFingerprint(hashed) : undefined;
  const where = `${file}${line === undefined ? '' : `:${line}`}`;
  const auditedFalse = entry.is_secret === false;
  const verified = entry.is_verified === true;
  return {
    ruleId: type,
    locationKey: joinNonEmpty([where, fingerprint], '|'),
    title: `Secret (${type}) committed in ${where}`,
    description: joinNonEmpty(
      [
        `detect-secrets (${type}) found a secret${fingerprint ? ` (fingerprint ${fingerprint})` : ''} in ${where}.`,
        verified ? 'detect-secrets verified that the secret is live.' : undefined,
        'The value is withheld; rotate the secret, then remove it from the code and history.',
      ],
      '\n\n',
    ),
    severity: severityFrom(DETECT_SECRETS_SEVERITIES, 'unrated'),
    types: [FindingTypes.SECRET],
    resources: [{ type: 'Other', id: codeLocationId(context.scan, file, line) }],
    remediation: {
      text: 'Revoke and rotate the secret, move it to AWS Secrets Manager or SSM Parameter Store (SecureString), and purge it from the git history.',
    },
    productFields: {
      File: file,
      ...(line !== undefined ? { Line: String(line) } : {}),
      ...(fingerprint ? { SecretFingerprint: fingerprint } : {}),
      Verified: String(verified),
      ...(typeof entry.is_secret === 'boolean' ? { AuditedAsSecret: String(entry.is_secret) } : {}),
    },
    // `detect-secrets audit` marked it as not a secret: kept, but suppressed with the auditor's verdict. The verdict is
    // written in the baseline file the repository commits, so the commit under scan can write it: in source.
    suppressed: auditedFalse ? { reason: 'audited as not a secret (detect-secrets audit: is_secret false)', kind: 'inSource' } : undefined,
    secrets: hashed !== undefined ? [hashed] : [],
  };
}
