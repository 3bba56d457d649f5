import * as fs from 'fs';
import * as path from 'path';
import {
  compileErrors, exampleStack, exportedVariables, nagViolations, readmeExamples, variableReferences,
} from '@devsecops-factory/test-kit';
import { App, Stack } from 'aws-cdk-lib';
import { CURRENTLY_RECOMMENDED_FLAGS } from 'aws-cdk-lib/cx-api';

const packageDir = path.join(__dirname, '..');
const examples = readmeExamples(fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8'));
const buildspec = (name: string) => path.join(packageDir, 'assets', 'buildspecs', name);

/**
 * What the README's actions export: the CodeStar connections source action
 * (namespace `SourceVariables` there) and the one scan stage whose buildspec
 * exports variables, under the namespace the README gives it.
 */
const EXPORTED: Record<string, string[]> = {
  SourceVariables: ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'ConnectionArn', 'FullRepositoryName'],
  EcrScan: exportedVariables(buildspec('ecr-scan.yml')),
};

const PACKAGE_NAME = '@devsecops-factory/scan-stage-construct';

/** What the examples `declare`: the user's own pipeline (KMS-encrypted artifact bucket) and two inputs. */
const DEFINITIONS: Record<string, string> = {
  pipeline: 'const pipeline = new codepipeline.Pipeline(this, \'Pipeline\', { artifactBucket: new s3.Bucket(this, \'ArtifactBucket\', '
    + '{ encryptionKey: new kms.Key(this, \'ArtifactKey\', { enableKeyRotation: true }), enforceSSL: true }) });',
  factoryRepositoryBucket: 'const factoryRepositoryBucket = s3.Bucket.fromBucketName(this, \'FactoryRepository\', \'factory-repository\');',
  toolboxDigest: `const toolboxDigest = 'sha256:${'0'.repeat(64)}';`,
};

/** The pipeline, its artifact bucket and key are the user's, and so are their findings. */
const USER_OWNED = /^Readme\/(Pipeline|ArtifactBucket|ArtifactKey)(\/|$)/;

/** Every example, in order, in one stack of an app like `cdk init`'s (its flags, and an environment) or a bare one. */
function readmeStack(cdkInit: boolean): Stack {
  const app = new App({
    context: {
      ...(cdkInit ? CURRENTLY_RECOMMENDED_FLAGS : {}),
      connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
      repositoryOwner: 'example-org',
      branch: 'main',
    },
  });
  const stack = exampleStack(examples, app, 'Readme', {
    // jest's own require: the examples then share the package's copy of aws-cdk-lib.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require: (id) => (id === PACKAGE_NAME ? require('../src') : require(id)),
    definitions: DEFINITIONS,
    stackProps: cdkInit ? { env: { account: '111111111111', region: 'eu-west-1' } } : undefined,
  });
  app.synth();
  return stack;
}

describe('README examples', () => {
  test('there are examples to check, none left out as a fragment', () => {
    const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
    expect(examples.length).toBe(readme.split('\n').filter((line) => line.trim() === '```ts').length);
  });

  test('compile against the public API, one after the other inside a Stack', () => {
    expect(compileErrors(examples, { packageDir, packageName: PACKAGE_NAME, cumulative: true })).toEqual([]);
  }, 180_000);

  test('use only pipeline variables an action of the examples exports', () => {
    expect(EXPORTED.EcrScan).toEqual(['IMAGE_URI', 'IMAGE_DIGEST']);
    const unknown = variableReferences(examples)
      .filter((reference) => !(EXPORTED[reference.namespace] ?? []).includes(reference.variable))
      .map((reference) => `README.md:${reference.line}: #{${reference.namespace}.${reference.variable}}`);
    expect(unknown).toEqual([]);
  });

  test('give the EcrScanStage the namespace the variables are read from', () => {
    expect(examples.some((example) => example.lines.some((line) => /variablesNamespace: 'EcrScan'/.test(line)))).toBe(true);
  });

  test.each([
    ['in a bare app', false],
    ['in an app with cdk init\'s flags and an environment', true],
  ])('synthesize, all together, without a finding of the cdk-nag AwsSolutions or NIST 800-53 rev5 pack %s', (_name, cdkInit) => {
    const findings = nagViolations(readmeStack(cdkInit)).filter((violation) => !USER_OWNED.test(violation.path));
    expect(findings.map((violation) => `${violation.rule} on ${violation.path}`)).toEqual([]);
  }, 300_000);
});
