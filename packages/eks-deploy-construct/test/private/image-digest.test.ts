import { Token } from 'aws-cdk-lib';
import { assertDigest, assertRepositoryWithoutTag, isDeferred } from '../../src/private/image-digest';

describe('image digest checks', () => {
  test.each([
    ['#{ImageScan.IMAGE_DIGEST}', true],
    ['#{variables.digest}', true],
    [Token.asString({ Ref: 'Digest' }), true],
    ['sha256:abc', false],
    ['#{not a variable}', false],
  ])('treats %s as deferred: %s', (value, deferred) => {
    expect(isDeferred(value)).toBe(deferred);
  });

  test('accepts exactly sha256 and 64 lowercase hex digits', () => {
    expect(() => assertDigest(`sha256:${'0123456789abcdef'.repeat(4)}`)).not.toThrow();
    expect(() => assertDigest(`sha256:${'a'.repeat(65)}`)).toThrow();
    expect(() => assertDigest(` sha256:${'a'.repeat(64)}`)).toThrow();
  });

  test('reads a registry port as a port, not a tag', () => {
    expect(() => assertRepositoryWithoutTag('registry.example.com:5000/app')).not.toThrow();
    expect(() => assertRepositoryWithoutTag('registry.example.com:5000/app:5000')).toThrow(/tag/);
  });

  test('leaves deferred repositories to the build', () => {
    expect(() => assertRepositoryWithoutTag('#{ImageScan.IMAGE_URI}')).not.toThrow();
  });
});
