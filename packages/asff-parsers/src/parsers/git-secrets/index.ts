import { FindingTypes } from '../../asff/finding-types';
import { secretFingerprint } from '../../asff/redact';
import { MalformedInputError } from '../../errors';
import { streamLines } from '../../streams/lines';
import type { ReportSource } from '../../streams/report-source';
import type { FindingDraft, ParseContext, Parser, ReportHead, SeverityTable } from '../parser';

/** git-secrets reports no severity: every prohibited pattern it matched is a committed credential. */
const GIT_SECRETS_SEVERITY: SeverityTable = { 'prohibited pattern': 'HIGH' };

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
    const parsed = complete.map((l) => parseGitSecretsLine(l));
    const onlyGitSecretsLines = parsed.every((p) => p !== undefined);
    if (complete.length > 0 && onlyGitSecretsLines && parsed.some((p) => typeof p === 'object' && p.commit !== undefined)) return 0.5;
    return undefined;
  },
  parse(source: ReportSource, context: ParseContext): AsyncIterable<FindingDraft> {
    return parseGitSecrets(source, context);
  },
};

/**
 * Parses one output line; 'noise' for banner, advice and blank lines,
 * undefined for anything else.
 *
 * The line is report-controlled and up to 1 MiB, so it is split by scanning
 * for separators rather than with a regex: `^(.+?):(\d+):(.*)$` rescans the
 * rest of the line at every `:digits:` when the line holds a character `.`
 * does not match (U+2028, `\r`), which made a 1 MiB line take minutes. The
 * path is the shortest prefix followed by `:digits:` (so a path may contain
 * `:`, as in `deploy:prod.env:1:...`), as git-secrets prints it.
 */
export function parseGitSecretsLine(text: string): SecretMatch | 'noise' | undefined {
  if (text.trim() === '' || NOISE_LINE.test(text)) return 'noise';
  const afterCommit = commitPrefixEnd(text);
  if (afterCommit !== undefined) {
    const history = splitPathLineText(text, afterCommit);
    if (history !== undefined) return { commit: text.slice(0, commitLength(text)), ...history };
  }
  return splitPathLineText(text, 0);
}

/** `--scan-history` lines start with a 7 to 40 digit commit, maybe abbreviated as `ccd589a...`, then `:`. */
function commitPrefixEnd(text: string): number | undefined {
  const length = commitLength(text);
  if (length < 7 || length > 40) return undefined;
  if (text[length] === ':') return length + 1;
  if (text.startsWith('...:', length)) return length + 4;
  return undefined;
}

function commitLength(text: string): number {
  let i = 0;
  while (i < text.length && i <= 40 && isLowerHex(text.charCodeAt(i))) i++;
  return i;
}

/**
 * `path:line:text` from `start`: the first `:digits:` after a non-empty path.
 * Each `:` is looked at once and the digits after it once, so this is linear.
 */
function splitPathLineText(text: string, start: number): Omit<SecretMatch, 'commit'> | undefined {
  let colon = text.indexOf(':', start + 1);
  while (colon >= 0) {
    let end = colon + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end++;
    if (end > colon + 1 && text[end] === ':') {
      return { path: text.slice(start, colon), line: text.slice(colon + 1, end), text: text.slice(end + 1) };
    }
    colon = text.indexOf(':', end);
  }
  return undefined;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLowerHex(code: number): boolean {
  return isDigit(code) || (code >= 0x61 && code <= 0x66);
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
    description: `git-secrets matched a prohibited pattern in ${where}${match.commit ? ` in commit ${match.commit}` : ''}. ` +
      `The matched text is not reproduced; its fingerprint is ${fingerprint}. Rotate the credential, then remove it from the code and history.`,
    severity: { label: 'HIGH', original: 'prohibited pattern' },
    types: [FindingTypes.SECRET],
    resources: [{
      type: 'Other',
      id,
      details: {
        Other: { file: match.path, line: match.line, ...(match.commit ? { commit: match.commit } : {}), ...(repository ? { repository } : {}) },
      },
    }],
    remediation: { text: 'Revoke and rotate the exposed credential, store it in AWS Secrets Manager, and purge it from the Git history.', url: 'https://github.com/awslabs/git-secrets' },
    productFields: { SecretFingerprint: fingerprint },
    secrets: secret.length > 0 ? [secret] : [],
  };
}
