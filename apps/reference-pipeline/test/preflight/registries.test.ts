import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context } from './support';
import { registriesCheck, registriesOf, registryOf } from '../../src/preflight/registries';
import { Probe } from '../../src/preflight/types';

/** An application repository whose `app/Dockerfile` (the context in the test config) is `dockerfile`. */
function appRepository(dockerfile: string): string {
  const root = mkdtempSync(join(tmpdir(), 'preflight-app-'));
  mkdirSync(join(root, 'app'));
  writeFileSync(join(root, 'app', 'Dockerfile'), dockerfile);
  return root;
}

function recordingProbe(fail: (url: string) => boolean = () => false): { probe: Probe; urls: string[] } {
  const urls: string[] = [];
  return {
    urls,
    probe: async (url, init) => {
      urls.push(`${init.method} ${url}`);
      if (fail(url)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ENOTFOUND' } });
      // The registry API answers 401 to anonymous clients: reachable.
      return { status: 401 };
    },
  };
}

const ECR_PUBLIC_ONLY = 'FROM public.ecr.aws/docker/library/node:22-bookworm-slim AS build\nFROM build\n';

describe('image registries check', () => {
  test('ok when the registries the Dockerfile names answer an HTTPS HEAD', async () => {
    const { probe, urls } = recordingProbe();
    const result = await registriesCheck.run(context(undefined, { appRepository: appRepository(ECR_PUBLIC_ONLY), probe }));
    expect(result).toMatchObject({ status: 'ok', detail: 'reachable: public.ecr.aws' });
    expect(urls).toEqual(['HEAD https://public.ecr.aws/v2/']);
  });

  test('blocker naming the registry and the network error when it is unreachable', async () => {
    const { probe } = recordingProbe((url) => url.includes('public.ecr.aws'));
    const result = await registriesCheck.run(context(undefined, { appRepository: appRepository(ECR_PUBLIC_ONLY), probe }));
    expect(result).toMatchObject({ status: 'blocker', detail: 'unreachable over HTTPS: public.ecr.aws (ENOTFOUND)' });
    expect(result.fix).toMatch(/pull-through cache/);
  });

  test('warns about anonymous Docker Hub rate limits when the syntax directive or a base image needs Docker Hub', async () => {
    const { probe, urls } = recordingProbe();
    const dockerfile = `# syntax=docker/dockerfile:1\n${ECR_PUBLIC_ONLY}`;
    const result = await registriesCheck.run(context(undefined, { appRepository: appRepository(dockerfile), probe }));
    expect(result.status).toBe('warning');
    expect(result.detail).toMatch(/rate-limited/);
    expect(urls).toEqual(['HEAD https://registry-1.docker.io/v2/', 'HEAD https://public.ecr.aws/v2/']);
  });

  test('warning, and no probe, when the Dockerfile is not where image.context says', async () => {
    const { probe, urls } = recordingProbe();
    const result = await registriesCheck.run(context(undefined, { appRepository: mkdtempSync(join(tmpdir(), 'preflight-empty-')), probe }));
    expect(result.status).toBe('warning');
    expect(result.fix).toMatch(/--app-repo/);
    expect(urls).toEqual([]);
  });

  test('the sample app\'s Dockerfile parses into the registries it pulls from', () => {
    const sample = join(__dirname, '..', '..', '..', 'sample-app', 'Dockerfile');
    const { registries } = registriesOf(readFileSync(sample, 'utf-8'));
    expect(registries.length).toBeGreaterThan(0);
    expect(registries.every((registry) => ['docker.io', 'public.ecr.aws'].includes(registry))).toBe(true);
  });
});

describe('registryOf', () => {
  test.each([
    ['node:22', 'docker.io'],
    ['docker/dockerfile:1', 'docker.io'],
    ['public.ecr.aws/docker/library/node:22', 'public.ecr.aws'],
    ['localhost:5000/app', 'localhost:5000'],
    ['111122223333.dkr.ecr.eu-west-1.amazonaws.com/base:1', '111122223333.dkr.ecr.eu-west-1.amazonaws.com'],
  ])('%s is pulled from %s', (image, registry) => {
    expect(registryOf(image)).toBe(registry);
  });

  test('skips scratch and earlier stages, and lists images from build arguments as unresolved', () => {
    expect(registriesOf('ARG BASE\nFROM --platform=linux/amd64 ${BASE} AS base\nFROM scratch\nFROM base\n')).toEqual({
      registries: [],
      unresolved: ['${BASE}'],
    });
  });
});
