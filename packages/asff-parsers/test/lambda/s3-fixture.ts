import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';

/** An in-memory reports bucket behind aws-sdk-client-mock: raw objects in, written objects captured. */
export function mockReportsBucket() {
  const s3Mock = mockClient(S3Client);
  const objects = new Map<string, { body: string; metadata?: Record<string, string> }>();
  const written = new Map<string, { body: string; input: Record<string, unknown> }>();
  s3Mock.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const object = objects.get(input.Key);
    if (!object) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    const body = Readable.from([Buffer.from(object.body)]) as Readable & { transformToString?: () => Promise<string> };
    body.transformToString = async () => object.body;
    return { Body: body, Metadata: object.metadata };
  });
  s3Mock.on(PutObjectCommand).callsFake(async (input: { Key: string; Body: unknown }) => {
    let body: string;
    if (typeof input.Body === 'string') {
      body = input.Body;
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of input.Body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
      body = Buffer.concat(chunks).toString('utf8');
    }
    written.set(input.Key, { body, input: input as Record<string, unknown> });
    return {};
  });
  return { s3Mock, objects, written, client: new S3Client({ region: 'us-east-1' }) };
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
