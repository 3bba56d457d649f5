import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/** S3's ETag of a single-part object: the quoted MD5 of its body. */
const eTagOf = (body: string) => `"${createHash('md5').update(body).digest('hex')}"`;

/**
 * An in-memory reports bucket behind aws-sdk-client-mock: raw objects in, written objects captured (and
 * readable, as S3 would have them), deleted ones gone; `created` lists every key written, in order, with
 * its ETag, as the bucket's ObjectCreated notifications would.
 */
export function mockReportsBucket() {
  const s3Mock = mockClient(S3Client);
  const objects = new Map<string, { body: string; metadata?: Record<string, string> }>();
  const written = new Map<string, { body: string; bytes: Buffer; input: Record<string, unknown> }>();
  const created: Array<{ key: string; eTag: string }> = [];
  const deleted: string[] = [];
  s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string; IfMatch?: string }) => {
    const object = objects.get(input.Key);
    if (!object) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    const eTag = eTagOf(object.body);
    if (input.IfMatch !== undefined && input.IfMatch.replace(/"/g, '') !== eTag.replace(/"/g, '')) {
      throw Object.assign(new Error('PreconditionFailed'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    }
    const body = Readable.from([Buffer.from(object.body)]) as Readable & { transformToString?: () => Promise<string> };
    body.transformToString = async () => object.body;
    return { Body: body, Metadata: object.metadata, ETag: eTag };
  });
  s3Mock.on(DeleteObjectCommand).callsFake(async (input: { Key: string }) => {
    objects.delete(input.Key);
    deleted.push(input.Key);
    return {};
  });
  s3Mock.on(PutObjectCommand).callsFake(async (input: { Bucket: string; Key: string; Body: unknown }) => {
    let bytes: Buffer;
    if (typeof input.Body === 'string' || input.Body instanceof Uint8Array) {
      bytes = Buffer.from(input.Body as string | Uint8Array);
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of input.Body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      bytes = Buffer.concat(chunks);
    }
    const body = bytes.toString('utf8');
    // Objects of other buckets (Security Lake's) are kept by bucket and key; the reports bucket's by key.
    const key = input.Bucket === 'reports' || input.Bucket === undefined ? input.Key : `s3://${input.Bucket}/${input.Key}`;
    written.set(key, { body, bytes, input: input as Record<string, unknown> });
    objects.set(key, { body });
    created.push({ key, eTag: eTagOf(body).replace(/"/g, '') });
    return { ETag: eTagOf(body) };
  });
  return { s3Mock, objects, written, created, deleted, client: new S3Client({ region: 'us-east-1' }) };
}

/** A small generic SARIF 2.1.0 report written for these tests: `count` results of one rule in distinct files. */
export function sarifReport(count: number, secretText = 'AKIA-NOT-A-REAL-KEY-1234'): string {
  return JSON.stringify({
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: 'demo-scanner', rules: [{ id: 'demo/hardcoded-key', shortDescription: { text: 'Hard-coded key' } }] } },
        results: Array.from({ length: count }, (_, i) => ({
          ruleId: 'demo/hardcoded-key',
          level: 'error',
          message: { text: `Hard-coded key found (${secretText.slice(0, 4)}…)` },
          locations: [{ physicalLocation: { artifactLocation: { uri: `src/file-${i}.ts` }, region: { startLine: i + 1 } } }],
        })),
      },
    ],
  });
}
