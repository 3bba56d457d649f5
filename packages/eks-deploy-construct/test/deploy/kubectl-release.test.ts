import { KubectlRelease } from '../../src';

describe('KubectlRelease', () => {
  test('defaults to a released version with its published linux/amd64 SHA-256', () => {
    expect(KubectlRelease.V1_36_4.version).toBe('v1.36.4');
    expect(KubectlRelease.V1_36_4.linuxAmd64Sha256).toBe('8b8f088da2dab964f853b38464033b1be15ede2839eca751482357c45abdd05a');
  });

  test('accepts another version with its digest', () => {
    const release = KubectlRelease.of('v1.35.2', 'b'.repeat(64));
    expect([release.version, release.linuxAmd64Sha256]).toEqual(['v1.35.2', 'b'.repeat(64)]);
  });

  test.each(['1.36.4', 'latest', 'v1.36'])('rejects the version %s', (version) => {
    expect(() => KubectlRelease.of(version, 'b'.repeat(64))).toThrow(/version must look like/);
  });

  test.each(['', 'b'.repeat(63), 'B'.repeat(64)])('rejects the checksum %j', (sha256) => {
    expect(() => KubectlRelease.of('v1.36.4', sha256)).toThrow(/sha256 must be 64/);
  });
});
