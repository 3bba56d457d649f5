import { createWriteStream, WriteStream } from 'node:fs';
import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';

/** A finding that could not be imported, with the reason, so it can be inspected and replayed. */
export interface DeadLetter {
  readonly finding: AwsSecurityFinding;
  /** Security Hub's ErrorCode, the exception name, or an importer code such as DuplicateFindingId. */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** How many requests carried this finding. */
  readonly attempts: number;
  /**
   * True when a request carrying this finding may have been applied although
   * its response was an error (e.g. HTTP 500): check Security Hub before replaying.
   */
  readonly possiblyImported: boolean;
}

/** Where findings that still fail after the retries go. Implementations must not lose entries. */
export interface DeadLetterSink {
  write(entry: DeadLetter): Promise<void>;
  /** Flushes and releases the sink; returns how many entries it received. */
  close(): Promise<number>;
}

/** Keeps dead letters in memory (tests, and the Lambda before it uploads them). */
export class MemoryDeadLetterSink implements DeadLetterSink {
  readonly entries: DeadLetter[] = [];
  async write(entry: DeadLetter): Promise<void> {
    this.entries.push(entry);
  }
  async close(): Promise<number> {
    return this.entries.length;
  }
}

/** One dead letter per line (NDJSON), replayable with `asff import --input <file>` after extracting `.finding`. */
export class FileDeadLetterSink implements DeadLetterSink {
  private stream?: WriteStream;
  private count = 0;

  constructor(private readonly path: string) {}

  async write(entry: DeadLetter): Promise<void> {
    // Opened lazily so that a clean import leaves no empty file behind.
    this.stream ??= createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    this.count++;
    const line = `${JSON.stringify(entry)}\n`;
    if (!this.stream.write(line)) await new Promise<void>((resolve) => this.stream!.once('drain', resolve));
  }

  async close(): Promise<number> {
    const stream = this.stream;
    if (stream) {
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(resolve);
      });
    }
    return this.count;
  }
}
