import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Headers every response carries: the DAST stage (OWASP ZAP baseline) flags
 * their absence, so the sample app shows what a clean scan looks like.
 */
const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'geolocation=(), camera=(), microphone=()',
};

export interface AppOptions {
  /** Reported by /version so a deploy can be checked against the promoted commit. */
  readonly version?: string;
}

export interface SampleApp {
  readonly server: Server;
  /** Fail readiness so Kubernetes stops routing here before the process exits. */
  markDraining(): void;
}

export function createApp(options: AppOptions = {}): SampleApp {
  let ready = true;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    const path = pathOf(req.url);
    if (path === undefined) return send(400, { error: 'bad request target' });
    switch (path) {
      case '/':
        return send(200, { service: 'sample-app', message: 'hello from the DevSecOps factory' });
      case '/healthz':
        return send(200, { status: 'ok' });
      case '/readyz':
        return ready ? send(200, { status: 'ready' }) : send(503, { status: 'draining' });
      case '/version':
        return send(200, { version: options.version ?? 'unknown' });
      default:
        return send(404, { error: 'not found' });
    }
  });
  return { server, markDraining: () => { ready = false; } };
}

/**
 * The path of a request target, or undefined when it cannot be parsed: a
 * client controls the target (`GET //:99999`), and `new URL()` throws on it,
 * which would end the process instead of answering 400.
 */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
