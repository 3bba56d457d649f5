import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { MalformedInputError, ReportError } from '../errors';
import { streamJsonElements } from '../streams/json-elements';
import { streamLines } from '../streams/lines';
import { peekSource, ReportSource } from '../streams/report-source';

const FINDINGS_OBJECT = /^\s*\{\s*"Findings"\s*:/;

/**
 * Streams the findings written by `asff convert`: the `{"Findings":[...]}`
 * object (default format) or NDJSON (one finding per line), recognised from
 * the first bytes. Problems surface as a one-line ReportError naming the file.
 */
export async function* readFindings(source: ReportSource, fileName: string): AsyncIterable<AwsSecurityFinding> {
  try {
    const peeked = await peekSource(source, 4096);
    const head = peeked.head.toString('utf8');
    if (head.trim() === '') throw new MalformedInputError('the findings file is empty');
    if (FINDINGS_OBJECT.test(head)) {
      for await (const element of streamJsonElements(peeked.source, { elements: ['Findings.*'] })) {
        yield checked(element.value, `Findings[${String(element.path[1])}]`);
      }
    } else {
      for await (const line of streamLines(peeked.source)) {
        if (line.text.trim() === '') continue;
        if (line.truncated) throw new MalformedInputError(`line ${line.number}: longer than any ASFF finding can be`);
        let value: unknown;
        try {
          value = JSON.parse(line.text);
        } catch {
          throw new MalformedInputError(`line ${line.number}: not JSON (expected {"Findings":[...]} or one finding per line)`);
        }
        yield checked(value, `line ${line.number}`);
      }
    }
  } catch (error) {
    if (error instanceof ReportError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ReportError(fileName, 'no such file', 'unreadable', { cause: error });
    if (code !== undefined) throw new ReportError(fileName, `cannot read the findings (${code})`, 'unreadable', { cause: error });
    throw new ReportError(fileName, (error as Error).message, 'malformed', { cause: error });
  }
}

function checked(value: unknown, where: string): AwsSecurityFinding {
  const finding = value as AwsSecurityFinding;
  if (!finding || typeof finding !== 'object' || Array.isArray(finding) || typeof finding.Id !== 'string') {
    throw new MalformedInputError(`${where} is not an ASFF finding (no Id)`);
  }
  return finding;
}
