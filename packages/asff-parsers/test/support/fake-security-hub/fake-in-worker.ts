import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FakeSecurityHubOptions } from './server';

/** What the worker reports about the fake it runs. */
export interface WorkerFakeStatistics {
  readonly storedIds: string[];
  readonly throttled: number;
  readonly received: number;
  /** GetFindings requests received (pages read, throttled ones included). */
  readonly getFindingsReceived: number;
  /** GetFindings requests refused for the quota. */
  readonly getFindingsThrottled: number;
}

/**
 * The fake endpoint on its own thread, for the benchmark: in-process, the
 * fake's JSON parsing and validation share the event loop with the client's
 * serialization, which distorts the arrival times its token bucket sees.
 */
export class FakeSecurityHubWorker {
  static async start(options: Omit<FakeSecurityHubOptions, 'faults' | 'now'> = {}): Promise<FakeSecurityHubWorker> {
    const bootstrap = `
      require('ts-node/register/transpile-only');
      const { parentPort, workerData } = require('node:worker_threads');
      const { FakeSecurityHub } = require(workerData.module);
      FakeSecurityHub.start(workerData.options).then((fake) => {
        parentPort.postMessage({ endpoint: fake.endpoint, accountId: fake.accountId });
        parentPort.on('message', async (message) => {
          if (message === 'stats') {
            parentPort.postMessage({
              storedIds: fake.store.all().map((f) => f.Id),
              throttled: fake.requests.throttled.BatchImportFindings,
              received: fake.requests.received.BatchImportFindings,
              getFindingsReceived: fake.requests.received.GetFindings,
              getFindingsThrottled: fake.requests.throttled.GetFindings,
            });
          } else if (message === 'close') {
            await fake.close();
            parentPort.close();
          }
        });
      });`;
    const worker = new Worker(bootstrap, { eval: true, workerData: { module: join(__dirname, 'server.ts'), options } });
    const ready = await new Promise<{ endpoint: string; accountId: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return new FakeSecurityHubWorker(worker, ready.endpoint, ready.accountId);
  }

  private constructor(private readonly worker: Worker, readonly endpoint: string, readonly accountId: string) {}

  async statistics(): Promise<WorkerFakeStatistics> {
    const reply = new Promise<WorkerFakeStatistics>((resolve) => this.worker.once('message', resolve));
    this.worker.postMessage('stats');
    return reply;
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await new Promise((resolve) => this.worker.once('exit', resolve));
  }
}
