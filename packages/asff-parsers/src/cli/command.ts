/** Where a command reads and writes: injected so commands are testable in-process. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** `--debug` was given: show stack traces. */
  readonly debug: boolean;
}

/** One `asff <name>` command, in its own file under `src/cli/commands/`. */
export interface CliCommand {
  readonly name: string;
  /** One line for `asff --help`. */
  readonly summary: string;
  /** The full usage text for `asff <name> --help`. */
  readonly usage: string;
  /**
   * Runs the command with the arguments after its name and returns the exit
   * code. Throw `UsageError` for bad arguments and `ReportError` for a bad
   * report: `main` prints them as one line and exits 2.
   */
  run(argv: readonly string[], io: CliIo): Promise<number>;
}
