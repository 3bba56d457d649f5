import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Check, CheckResult, PreflightContext } from './types';

const NAME = 'Image registries';
const DOCKER_HUB = 'docker.io';
/** Long enough for a slow TLS handshake, short enough not to stall the checklist. */
export const PROBE_TIMEOUT_MS = 5000;

/** The registries a Dockerfile pulls from: its BuildKit frontend (`# syntax=`) and the external FROM images. */
export function registriesOf(dockerfile: string): { registries: string[]; unresolved: string[] } {
  const registries = new Set<string>();
  const unresolved: string[] = [];
  const stages = new Set<string>();
  const lines = dockerfile.split(/\r?\n/);
  // Parser directives are only honoured in the leading comment block.
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    const syntax = /^#\s*syntax\s*=\s*(\S+)/i.exec(line);
    if (syntax) registries.add(registryOf(syntax[1]));
  }
  for (const line of lines) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    const image = from[1];
    if (image.includes('$')) unresolved.push(image);
    else if (image !== 'scratch' && !stages.has(image.toLowerCase())) registries.add(registryOf(image));
    if (from[2]) stages.add(from[2].toLowerCase());
  }
  return { registries: [...registries], unresolved };
}

/** `node:22` and `docker/dockerfile:1` are Docker Hub; a first component with a dot, a port or localhost is a host. */
export function registryOf(image: string): string {
  const first = image.split('/')[0];
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : DOCKER_HUB;
}

/** fetch reports "fetch failed" and keeps the useful part (ENOTFOUND, ECONNRESET, a timeout) in its cause. */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function probeUrl(registry: string): string {
  return registry === DOCKER_HUB ? 'https://registry-1.docker.io/v2/' : `https://${registry}/v2/`;
}

/**
 * The image build pulls its base images (and its BuildKit frontend) from the registries its Dockerfile names.
 * Any HTTP answer from the registry API (401 included) means reachable; a timeout or network error does not.
 */
export const registriesCheck: Check = {
  name: NAME,
  offline: true,
  async run(context: PreflightContext): Promise<CheckResult> {
    const file = join(context.appRepository, context.config.image.context, 'Dockerfile');
    if (!existsSync(file)) {
      return {
        name: NAME,
        status: 'warning',
        detail: `${file} not found: cannot tell which registries the image build pulls from`,
        fix: 'run with --app-repo <checkout of the application repository>',
      };
    }
    const { registries, unresolved } = registriesOf(readFileSync(file, 'utf-8'));
    const unreachable: string[] = [];
    for (const registry of registries) {
      try {
        await context.probe(probeUrl(registry), { method: 'HEAD', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      } catch (error) {
        unreachable.push(`${registry} (${reason(error)})`);
      }
    }
    if (unreachable.length > 0) {
      return {
        name: NAME,
        status: 'blocker',
        detail: `unreachable over HTTPS: ${unreachable.join(', ')}`,
        fix: 'allow outbound HTTPS to these registries (proxy, firewall), or mirror the images into ECR (pull-through cache) and use those names',
      };
    }
    const notes: string[] = [];
    if (unresolved.length > 0) notes.push(`build-argument images not checked: ${unresolved.join(', ')}`);
    if (registries.includes(DOCKER_HUB)) {
      notes.push("Docker Hub pulls from CodeBuild's shared IPs are anonymous and rate-limited");
      return {
        name: NAME,
        status: 'warning',
        detail: `reachable: ${registries.join(', ')}; ${notes.join('; ')}`,
        fix: 'use public.ecr.aws/docker/library/<image> (or an ECR pull-through cache), '
          + 'and drop a `# syntax=docker/...` directive (the builtin frontend applies)',
      };
    }
    const reached = registries.length > 0 ? `reachable: ${registries.join(', ')}` : 'no external image to pull';
    return {
      name: NAME,
      status: notes.length > 0 ? 'warning' : 'ok',
      detail: [reached, ...notes].join('; '),
      fix: notes.length > 0 ? 'check those registries by hand' : undefined,
    };
  },
};
