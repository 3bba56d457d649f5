import { AddressInfo, connect } from 'node:net';
import { createApp, SampleApp } from '../src/server';

let app: SampleApp;
let base: string;

beforeEach(async () => {
  app = createApp({ version: '1.2.3' });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterEach(async () => new Promise<void>((resolve) => app.server.close(() => resolve())));

describe('sample app', () => {
  test('answers the root path with JSON', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ service: 'sample-app' });
  });

  test('sends the security headers a ZAP baseline scan checks, on every response', async () => {
    for (const path of ['/', '/healthz', '/missing']) {
      const res = await fetch(`${base}${path}`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  test('fails readiness but stays live while draining', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    app.markDraining();
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test('reports the deployed version', async () => {
    expect(await (await fetch(`${base}/version`)).json()).toEqual({ version: '1.2.3' });
  });

  test('rejects methods other than GET and HEAD', async () => {
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  test('answers unknown paths with 404', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  // fetch() normalises the target, so the raw request line goes over a socket.
  const rawGet = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const port = (app.server.address() as AddressInfo).port;
      const socket = connect(port, '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
      let response = '';
      socket.on('data', (data) => (response += data.toString('utf8')));
      socket.on('end', () => resolve(response));
      socket.on('error', reject);
    });

  test.each(['//:99999', '//[::1', 'http://a:b:c/'])('answers 400 to the unparsable request target %s and keeps serving', async (target) => {
    expect(await rawGet(target)).toMatch(/^HTTP\/1\.1 400 /);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
