import { ReportError } from '../errors';

/** An invalid policy file: one line, `file:line: problem`, exit code 2 in the CLI. */
export class PolicyError extends ReportError {
  constructor(readonly policyFile: string, readonly line: number, problem: string) {
    super(`${policyFile}:${line}`, problem, 'malformed');
  }
}
