import { FindingTypes } from '../asff/finding-types';
import { secretFingerprint } from '../asff/redact';
import { MalformedInputError } from '../errors';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from './parser';
import { streamLines } from '../streams/lines';
import type { ReportSource } from '../streams/report-source';

/** git-secrets reports no severity: every prohibited pattern it matched is a committed credential. */
const GIT_SECRETS_SEVERITY: SeverityTable = { 'prohibited pattern': 'HIGH' };

/** `commit:path:line:text` (`--scan-history`; commit may be abbreviated as `ccd589a...`). */
const HISTORY_LINE = /^([0-9a-f]{7,40})(?:\.\.\.)?:(.+?):(\d+):(.*)$/;
/** `path:line:text` (`--scan`, pre-commit hook). */
const SCAN_LINE = /^(.+?):(\d+):(.*)$/;
/** The banner and mitigation advice git-secrets prints after the matches. */
const NOISE_LINE = /^(\[ERROR\]|\[WARNING\]|Possible mitigations:|- (Mark|List|Use) )/;

/** One prohibited-pattern match. */
interface SecretMatch {
  readonly commit?: string;
  readonly path: string;
  readonly line: string;
  readonly text: string;
}

/** git-secrets text output (`git secrets --scan` and `--scan-history`). */
export const gitSecretsParser: Parser = {
  id: 'git-secrets',
  displayName: 'git-secrets',
  countingUnit: 'one per matched line (path and line, plus commit for --scan-history); the matched text is never copied, only its fingerprint',
  formats: ['git secrets --scan (path:line:text)', 'git secrets --scan-history (commit:path:line:text)'],
  severityTable: GIT_SECRETS_SEVERITY,
  detect(head: ReportHead): number | undefined {
    if (/^\s*[[{<]/.test(head.text)) return undefined;
    if (head.text.includes('[ERROR] Matched one or more prohibited patterns')) return 0.95;
    const lines = head.text.split('\n').filter((l) => l.trim() !== '');
    const complete = head.complete ? lines : lines.slice(0, -1);
    const onlyGitSecretsLines = complete.every((l) => HISTORY_LINE.test(l) || SCAN_LINE.test(l) || NOISE_LINE.test(l));
    if (complete.length > 0 && onlyGitSecretsLines && complete.some((l) => HISTORY_LINE.test(l))) return 0.5;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseGitSecrets(source, context);
  },
};

/** Parses one output line; undefined for banner, advice and blank lines. */
export function parseGitSecretsLine(text: string): SecretMatch | 'noise' | undefined {
  if (text.trim() === '' || NOISE_LINE.test(text)) return 'noise';
  const history = HISTORY_LINE.exec(text);
  if (history !== null) return { commit: history[1], path: history[2], line: history[3], text: history[4] };
  const scan = SCAN_LINE.exec(text);
  if (scan !== null) return { path: scan[1], line: scan[2], text: scan[3] };
  return undefined;
}

async function* parseGitSecrets(source: ReportSource, context: ParseContext): AsyncGenerator<FindingDraft> {
  let matches = 0;
  let unrecognised: number | undefined;
  for await (const line of streamLines(source)) {
    const parsed = parseGitSecretsLine(line.text);
    if (parsed === 'noise') continue;
    if (parsed === undefined) {
      unrecognised ??= line.number;
      continue;
    }
    matches++;
    yield secretFinding(parsed, context);
  }
  if (matches === 0 && unrecognised !== undefined) {
    throw new MalformedInputError(`not git-secrets output: line ${unrecognised} is not path:line:text`, 'unrecognised');
  }
}

function secretFinding(match: SecretMatch, context: ParseContext): FindingDraft {
  const secret = match.text.trim();
  const fingerprint = secretFingerprint(secret);
  const where = `${match.path}:${match.line}`;
  const repository = context.scan.repository;
  const id = `${repository ? `${repository}/` : ''}${where}${match.commit ? `@${match.commit}` : ''}`;
  return {
    ruleId: 'prohibited-pattern',
    locationKey: `${match.commit ?? ''}|${where}|${fingerprint}`,
    title: `Secret committed in ${where}`,
    description: `git-secrets matched a prohibited pattern in ${where}${match.commit ? ` in commit ${match.commit}` : ''}. The matched text is not reproduced; its fingerprint is ${fingerprint}. Rotate the credential, then remove it from the code and history.`,
    severity: { label: 'HIGH', original: 'prohibited pattern' },
    types: [FindingTypes.SECRET],
    resources: [{ type: 'Other', id, details: { Other: { file: match.path, line: match.line, ...(match.commit ? { commit: match.commit } : {}), ...(repository ? { repository } : {}) } } }],
    remediation: { text: 'Revoke and rotate the exposed credential, store it in AWS Secrets Manager, and purge it from the Git history.', url: 'https://github.com/awslabs/git-secrets' },
    productFields: { SecretFingerprint: fingerprint },
    secrets: secret.length > 0 ? [secret] : [],
  };
}
