import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dockerfile = readFileSync(join(__dirname, '..', 'Dockerfile'), 'utf-8');
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

/** A content digest: the only reference a registry cannot move under the build. */
const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Docker Hub names: no registry host (`node:22`, `docker/dockerfile:1`) or an explicit docker.io host. */
function isDockerHub(image: string): boolean {
  const first = image.split('/')[0];
  const hasHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return !hasHost || /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/i.test(first);
}

/**
 * Every image reference the build pulls from a registry: the `# syntax=` frontend (parser directives are only
 * read in the leading comment block), each FROM that is not `scratch` or an earlier stage, and each
 * `COPY --from=` / `RUN --mount=...,from=` that names an image rather than a stage.
 */
function pulledImages(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const images: string[] = [];
  const stages = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith('#')) break;
    const syntax = /^#\s*syntax\s*=\s*(\S+)/i.exec(line);
    if (syntax) images.push(syntax[1]);
  }
  for (const line of lines) {
    const from = /^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      if (from[1] !== 'scratch' && !stages.has(from[1].toLowerCase())) images.push(from[1]);
      if (from[2]) stages.add(from[2].toLowerCase());
      continue;
    }
    for (const match of line.matchAll(/(?:--from=|[\s,]from=)([^\s,]+)/gi)) {
      const source = match[1];
      if (!/^\d+$/.test(source) && !stages.has(source.toLowerCase())) images.push(source);
    }
  }
  return images;
}

describe('Dockerfile', () => {
  test('runs as a numeric non-root user in the final stage (matches runAsNonRoot)', () => {
    expect(finalStage).toMatch(/^USER 10001:10001$/m);
  });

  test('every image the build pulls (syntax frontend, FROM, COPY --from) is pinned by digest and not pulled from Docker Hub', () => {
    const images = pulledImages(dockerfile);
    expect(images.length).toBeGreaterThan(0);
    const offending = images.filter((image) => !DIGEST.test(image) || isDockerHub(image) || image.includes('$'));
    expect(offending).toEqual([]);
  });

  test('pulls base images from ECR Public, not an unauthenticated rate-limited registry', () => {
    for (const image of pulledImages(dockerfile)) {
      expect(image).toMatch(/^public\.ecr\.aws\//);
    }
  });

  test('ships only compiled output in the runtime stage', () => {
    expect(finalStage).not.toMatch(/COPY (src|\.)\s/);
    expect(finalStage).toContain('COPY --from=build /app/lib ./lib');
  });
});

describe('pulledImages (the check above)', () => {
  test('flags a Docker Hub syntax directive and unpinned or Docker Hub base images, not stages or scratch', () => {
    const sample = [
      '# syntax=docker/dockerfile:1',
      'FROM --platform=linux/amd64 node:22-bookworm-slim AS build',
      'FROM scratch',
      'FROM build',
      'COPY --from=build /a /b',
      'COPY --from=docker.io/library/busybox@sha256:' + 'a'.repeat(64) + ' /bin/sh /sh',
      'RUN --mount=type=bind,from=public.ecr.aws/x/y:1,target=/y true',
    ].join('\n');
    const images = pulledImages(sample);
    expect(images).toEqual([
      'docker/dockerfile:1',
      'node:22-bookworm-slim',
      'docker.io/library/busybox@sha256:' + 'a'.repeat(64),
      'public.ecr.aws/x/y:1',
    ]);
    expect(images.filter((image) => DIGEST.test(image) && !isDockerHub(image))).toEqual([]);
  });
});
