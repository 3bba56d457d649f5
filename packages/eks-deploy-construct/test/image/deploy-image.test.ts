import { Lazy } from 'aws-cdk-lib';
import { DeployImage } from '../../src';
import { DIGEST, REPOSITORY } from '../support/stacks';

describe('DeployImage.fromDigest', () => {
  test('references the repository by digest', () => {
    const image = DeployImage.fromDigest(REPOSITORY, DIGEST);
    expect(image.reference).toBe(`${REPOSITORY}@${DIGEST}`);
  });

  test.each([
    'sample-app:latest',
    `${REPOSITORY}:latest`,
    `${REPOSITORY}:1.2.3`,
    'localhost:5000/team/app:v1',
  ])('rejects the tagged repository %s', (repository) => {
    expect(() => DeployImage.fromDigest(repository, DIGEST)).toThrow(/must not carry a tag/);
  });

  test('rejects a repository that already carries a digest', () => {
    expect(() => DeployImage.fromDigest(`${REPOSITORY}@${DIGEST}`, DIGEST)).toThrow(/must not carry a digest/);
  });

  test.each(['latest', 'v1.2.3', 'sha256:abc', `sha256:${'A'.repeat(64)}`, `sha512:${'a'.repeat(64)}`, ''])(
    'rejects %j as a digest', (digest) => {
      expect(() => DeployImage.fromDigest(REPOSITORY, digest)).toThrow(/never a tag/);
    });

  test('accepts a registry with a port and a nested path', () => {
    expect(DeployImage.fromDigest('localhost:5000/team/app', DIGEST).repository).toBe('localhost:5000/team/app');
  });

  test('rejects a repository with upper case letters', () => {
    expect(() => DeployImage.fromDigest('Team/App', DIGEST)).toThrow(/not a repository name/);
  });

  test('accepts pipeline variable expressions, resolved and validated by the build', () => {
    const image = DeployImage.fromDigest('#{ImageScan.IMAGE_URI}', '#{ImageScan.IMAGE_DIGEST}');
    expect(image.reference).toBe('#{ImageScan.IMAGE_URI}@#{ImageScan.IMAGE_DIGEST}');
  });

  test('accepts CDK tokens', () => {
    const digest = Lazy.string({ produce: () => DIGEST });
    expect(DeployImage.fromDigest(REPOSITORY, digest).digest).toBe(digest);
  });
});
