import { Token } from 'aws-cdk-lib';

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const PIPELINE_VARIABLE = /#\{[A-Za-z0-9@_-]+\.[A-Za-z0-9@_-]+\}/;
/** A repository as Docker names it: registry host (optional port), path; no tag, no digest. */
const REPOSITORY = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?)+$|^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/;

/**
 * True when the value is resolved only later: a CDK token or a CodePipeline
 * variable expression such as `#{ImageScan.IMAGE_DIGEST}`. Such values are
 * validated by the build itself, literals already at synth.
 */
export function isDeferred(value: string): boolean {
  return Token.isUnresolved(value) || PIPELINE_VARIABLE.test(value);
}

/** Throws unless the literal is `sha256:` and 64 lowercase hex digits. */
export function assertDigest(digest: string): void {
  if (isDeferred(digest)) {
    return;
  }
  if (!DIGEST.test(digest)) {
    throw new Error(`imageDigest must be a digest like sha256:<64 hex digits>, never a tag; got '${digest}'`);
  }
}

/** Throws when the literal repository carries a tag (`:latest`, `:1.2`) or a digest. */
export function assertRepositoryWithoutTag(repository: string): void {
  if (isDeferred(repository)) {
    return;
  }
  if (repository.includes('@')) {
    throw new Error(`imageRepository must not carry a digest, pass it as imageDigest; got '${repository}'`);
  }
  const lastSegment = repository.slice(repository.lastIndexOf('/') + 1);
  if (lastSegment.includes(':')) {
    throw new Error(`imageRepository must not carry a tag (deploys use the digest only); got '${repository}'`);
  }
  if (!REPOSITORY.test(repository)) {
    throw new Error(`imageRepository is not a repository name; got '${repository}'`);
  }
}
