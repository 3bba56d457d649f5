import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { FaultPlan, Operation } from './faults';
import { checkFilters } from './filters';
import { FindingStore } from './finding-store';
import { ServerTokenBucket } from './token-bucket';
import { CallerContext, MAX_FINDING_BYTES, validateImportedFinding } from './validate-finding';

/** Limits of the real service (Security Hub API reference and quotas). */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
export const MAX_FINDINGS_PER_CALL = 100;

export interface RateLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export interface FakeSecurityHubOptions {
  /** The account the (fake) credentials belong to. Default 111122223333. */
  readonly accountId?: string;
  /** Default: 10 requests/s, burst 30. */
  readonly importRate?: RateLimit;
  /** Default: 3 requests/s, burst 6. */
  readonly getFindingsRate?: RateLimit;
  /** Default: 10 requests/s, burst 30. */
  readonly batchUpdateRate?: RateLimit;
  readonly faults?: FaultPlan;
  readonly now?: () => number;
}

export interface RequestStatistics {
  /** Requests received, throttled and faulted ones included. */
  readonly received: Record<Operation, number>;
  readonly throttled: Record<Operation, number>;
  /** Arrival times (ms) of the requests that were served, for rate assertions. */
  readonly servedAt: Record<Operation, number[]>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly type: string, message: string) {
    super(message);
  }
}

const ROUTES: Record<string, Operation> = {
  'POST /findings/import': 'BatchImportFindings',
  'POST /findings': 'GetFindings',
  'PATCH /findings/batchupdate': 'BatchUpdateFindings',
};

function perOperation<T>(make: () => T): Record<Operation, T> {
  return { BatchImportFindings: make(), GetFindings: make(), BatchUpdateFindings: make() };
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * A local Security Hub endpoint speaking the REST-JSON wire protocol of the
 * three operations the findings processor uses, with the service's limits,
 * update rules, throttling and injectable faults. Drive it through the real
 * SecurityHubClient with `endpoint` set to {@link FakeSecurityHub.endpoint}.
 */
export class FakeSecurityHub {
  static async start(options: FakeSecurityHubOptions = {}): Promise<FakeSecurityHub> {
    const fake = new FakeSecurityHub(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  readonly accountId: string;
  readonly store = new FindingStore();
  readonly requests: RequestStatistics = {
    received: perOperation(() => 0),
    throttled: perOperation(() => 0),
    servedAt: perOperation(() => [] as number[]),
  };
  /** Replace at any time to change the faults injected from the next request on. */
  faults: FaultPlan;
  private readonly server: Server;
  private readonly now: () => number;
  private readonly buckets: Record<Operation, ServerTokenBucket>;

  private constructor(options: FakeSecurityHubOptions) {
    this.accountId = options.accountId ?? '111122223333';
    this.faults = options.faults ?? {};
    this.now = options.now ?? Date.now;
    const importRate = options.importRate ?? { ratePerSecond: 10, burst: 30 };
    const getRate = options.getFindingsRate ?? { ratePerSecond: 3, burst: 6 };
    const updateRate = options.batchUpdateRate ?? { ratePerSecond: 10, burst: 30 };
    this.buckets = {
      BatchImportFindings: new ServerTokenBucket(importRate.ratePerSecond, importRate.burst, this.now),
      GetFindings: new ServerTokenBucket(getRate.ratePerSecond, getRate.burst, this.now),
      BatchUpdateFindings: new ServerTokenBucket(updateRate.ratePerSecond, updateRate.burst, this.now),
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => this.sendError(res, new HttpError(500, 'InternalException', String(error))));
    });
  }

  get endpoint(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** A real SDK client pointed at this endpoint, with SDK retries off so the caller sees every response. */
  client(region = 'us-east-1'): SecurityHubClient {
    return new SecurityHubClient({
      region,
      endpoint: this.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIAFAKEFAKEFAKEFAKE', secretAccessKey: 'fake-secret-for-local-endpoint' },
    });
  }

  productArn(region = 'us-east-1'): string {
    return `arn:${partitionOf(region)}:securityhub:${region}:${this.accountId}:product/${this.accountId}/default`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const operation = ROUTES[`${req.method} ${path}`];
    // The rate limit applies when the request arrives (headers parsed), not when
    // its body has been read: client and fake share one event loop, and body
    // reading would otherwise bunch arrivals together.
    const admitted = operation ? this.buckets[operation].tryTake() : false;
    const body = await readBody(req);
    try {
      if (!operation) throw new HttpError(404, 'UnknownOperationException', `No route for ${req.method} ${path}`);
      const count = ++this.requests.received[operation];
      const caller = this.caller(req);
      if (!admitted) {
        this.requests.throttled[operation]++;
        throw new HttpError(429, 'TooManyRequestsException', 'Rate exceeded');
      }
      const fault = this.faults.beforeRequest?.(operation, count);
      if (fault === 'throttle') {
        this.requests.throttled[operation]++;
        throw new HttpError(429, 'TooManyRequestsException', 'Rate exceeded');
      }
      if (fault === 'internal-error') throw new HttpError(500, 'InternalException', 'Injected internal error');
      if (body.length > MAX_REQUEST_BYTES) {
        throw new HttpError(413, 'RequestEntityTooLargeException', `Request body exceeds ${MAX_REQUEST_BYTES} bytes`);
      }
      let input: any;
      try {
        input = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        throw new HttpError(400, 'SerializationException', 'Request body is not valid JSON');
      }
      this.requests.servedAt[operation].push(this.now());
      const output = this.dispatch(operation, input, caller);
      if (fault === 'internal-error-after-commit') throw new HttpError(500, 'InternalException', 'Injected internal error after commit');
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': `fake-${operation}-${count}` });
      res.end(JSON.stringify(output));
    } catch (error) {
      this.sendError(res, error instanceof HttpError ? error : new HttpError(500, 'InternalException', String(error)));
    }
  }

  /** The caller's Region comes from the SigV4 credential scope, as in the real service. */
  private caller(req: IncomingMessage): CallerContext {
    const auth = String(req.headers.authorization ?? '');
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/securityhub\/aws4_request/.exec(auth);
    if (!scope) throw new HttpError(403, 'AccessDeniedException', 'Missing or invalid SigV4 signature for securityhub');
    return { accountId: this.accountId, region: scope[1], partition: partitionOf(scope[1]) };
  }

  private dispatch(operation: Operation, input: any, caller: CallerContext): unknown {
    switch (operation) {
      case 'BatchImportFindings': return this.batchImportFindings(input, caller);
      case 'GetFindings': return this.getFindings(input, caller);
      case 'BatchUpdateFindings': return this.batchUpdateFindings(input);
    }
  }

  private batchImportFindings(input: any, caller: CallerContext): unknown {
    const findings = input.Findings;
    if (!Array.isArray(findings) || findings.length < 1 || findings.length > MAX_FINDINGS_PER_CALL) {
      throw new HttpError(400, 'InvalidInputException', `Findings must hold 1-${MAX_FINDINGS_PER_CALL} findings`);
    }
    // One foreign account in the batch refuses the whole call.
    if (findings.some((f: any) => f?.AwsAccountId !== caller.accountId)) {
      throw new HttpError(401, 'InvalidAccessException', 'AwsAccountId does not match the calling account');
    }
    const failed: { Id: string; ErrorCode: string; ErrorMessage: string }[] = [];
    const processedAt = new Date(this.now()).toISOString();
    for (const finding of findings) {
      const id = typeof finding?.Id === 'string' && finding.Id ? finding.Id : 'unknown';
      if (Buffer.byteLength(JSON.stringify(finding)) > MAX_FINDING_BYTES) {
        failed.push({ Id: id, ErrorCode: 'FindingSizeExceeded', ErrorMessage: `Finding exceeds ${MAX_FINDING_BYTES} bytes` });
        continue;
      }
      const problem = validateImportedFinding(finding, caller);
      if (problem) {
        failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: problem });
        continue;
      }
      const injected = this.faults.failFinding?.('BatchImportFindings', id);
      if (injected) {
        failed.push({ Id: id, ErrorCode: injected.code, ErrorMessage: injected.message });
        continue;
      }
      this.store.import(finding, processedAt);
    }
    return { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed };
  }

  private getFindings(input: any, caller: CallerContext): unknown {
    const maxResults = input.MaxResults ?? 100;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      throw new HttpError(400, 'InvalidInputException', 'MaxResults must be 1-100');
    }
    const filters = input.Filters ?? {};
    try {
      checkFilters(filters);
    } catch (error) {
      throw new HttpError(400, 'InvalidInputException', (error as Error).message);
    }
    let offset = 0;
    if (input.NextToken) {
      const decoded = /^offset:(\d+)$/.exec(Buffer.from(String(input.NextToken), 'base64').toString('utf8'));
      if (!decoded) throw new HttpError(400, 'InvalidInputException', 'NextToken is invalid');
      offset = Number(decoded[1]);
    }
    const matches = this.store
      .matching(filters)
      .filter((f) => f.AwsAccountId === caller.accountId)
      .sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
    const page = matches.slice(offset, offset + maxResults).map((f) => this.store.presented(f));
    const next = offset + maxResults < matches.length ? Buffer.from(`offset:${offset + maxResults}`).toString('base64') : undefined;
    return { Findings: page, ...(next ? { NextToken: next } : {}) };
  }

  private batchUpdateFindings(input: any): unknown {
    const identifiers = input.FindingIdentifiers;
    if (!Array.isArray(identifiers) || identifiers.length < 1 || identifiers.length > MAX_FINDINGS_PER_CALL) {
      throw new HttpError(400, 'InvalidInputException', `FindingIdentifiers must hold 1-${MAX_FINDINGS_PER_CALL} entries`);
    }
    const status = input.Workflow?.Status;
    if (status !== undefined && !['NEW', 'NOTIFIED', 'RESOLVED', 'SUPPRESSED'].includes(status)) {
      throw new HttpError(400, 'InvalidInputException', 'Workflow.Status is invalid');
    }
    if (input.Note !== undefined) {
      const { Text, UpdatedBy } = input.Note;
      if (typeof Text !== 'string' || Text.length < 1 || Text.length > 512) {
        throw new HttpError(400, 'InvalidInputException', 'Note.Text must be 1-512 characters');
      }
      if (typeof UpdatedBy !== 'string' || UpdatedBy.length < 1 || UpdatedBy.length > 512) {
        throw new HttpError(400, 'InvalidInputException', 'Note.UpdatedBy is required');
      }
    }
    const processed: unknown[] = [];
    const unprocessed: unknown[] = [];
    const seen = new Set<string>();
    const now = new Date(this.now()).toISOString();
    for (const identifier of identifiers) {
      const key = FindingStore.key(identifier.ProductArn, identifier.Id);
      if (seen.has(key)) {
        unprocessed.push({ FindingIdentifier: identifier, ErrorCode: 'DuplicatedFindingIdentifier', ErrorMessage: 'Duplicated finding identifier' });
        continue;
      }
      seen.add(key);
      const injected = this.faults.failFinding?.('BatchUpdateFindings', identifier.Id);
      if (injected) {
        unprocessed.push({ FindingIdentifier: identifier, ErrorCode: injected.code, ErrorMessage: injected.message });
      } else if (this.store.updateCustomerFields(identifier.ProductArn, identifier.Id, input, now)) {
        processed.push(identifier);
      } else {
        unprocessed.push({ FindingIdentifier: identifier, ErrorCode: 'FindingNotFound', ErrorMessage: 'Finding not found' });
      }
    }
    return { ProcessedFindings: processed, UnprocessedFindings: unprocessed };
  }

  private sendError(res: ServerResponse, error: HttpError): void {
    if (res.headersSent) return;
    res.writeHead(error.status, { 'content-type': 'application/json', 'x-amzn-errortype': error.type });
    res.end(JSON.stringify({ Code: error.type, Message: error.message }));
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
