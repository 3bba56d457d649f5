import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** One request the fake API received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization?: string;
  readonly privateToken?: string;
  readonly contentType?: string;
  readonly body?: any;
}

/** A scripted answer, by `METHOD path` (path with its query string). */
export interface FakeResponse {
  readonly status?: number;
  readonly body?: unknown;
}

/** A provider API on 127.0.0.1 in its own process, so that synchronous build runs can call it. */
export interface FakeApi {
  readonly url: string;
  requests(): RecordedRequest[];
  stop(): void;
}

const SERVER = `
const http = require('http');
const fs = require('fs');
const [routesFile, recordFile] = process.argv.slice(1);
const routes = JSON.parse(fs.readFileSync(routesFile, 'utf8'));
const server = http.createServer((req, res) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => {
    let body;
    try { body = data === '' ? undefined : JSON.parse(data); } catch { body = { unparsable: data }; }
    fs.appendFileSync(recordFile, JSON.stringify({
      method: req.method, path: req.url, authorization: req.headers.authorization,
      privateToken: req.headers['private-token'], contentType: req.headers['content-type'], body,
    }) + '\\n');
    const route = routes[req.method + ' ' + req.url];
    res.writeHead(route ? (route.status ?? 200) : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(route ? (route.body ?? {}) : { message: 'Not Found' }));
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

/** Starts the fake API with its scripted routes; every request is recorded (unknown routes answer 404). */
export async function startFakeApi(routes: Record<string, FakeResponse>): Promise<FakeApi> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-api-'));
  const routesFile = path.join(dir, 'routes.json');
  const recordFile = path.join(dir, 'requests.jsonl');
  fs.writeFileSync(routesFile, JSON.stringify(routes));
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, routesFile, recordFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`fake API exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => (fs.existsSync(recordFile)
      ? fs.readFileSync(recordFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l))
      : []),
    stop: () => {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
