import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { encryptionOf } from './settings';
import { DeadLetter, DeadLetterSink } from '../importer/dead-letter';

/**
 * Dead letters of one report as one NDJSON object in S3, written on close.
 * Entries are buffered: Security Hub refuses few findings in practice, and a
 * single object per report is what an operator replays.
 */
export class S3DeadLetterSink implements DeadLetterSink {
  private readonly lines: string[] = [];

  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly key: string,
    private readonly kmsKeyId?: string,
  ) {}

  async write(entry: DeadLetter): Promise<void> {
    this.lines.push(JSON.stringify(entry));
  }

  async close(): Promise<number> {
    if (this.lines.length > 0) {
      await this.s3.send(new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key,
        Body: `${this.lines.join('\n')}\n`,
        ContentType: 'application/x-ndjson',
        ...encryptionOf({ kmsKeyId: this.kmsKeyId }),
      }));
    }
    return this.lines.length;
  }
}
