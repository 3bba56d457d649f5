import * as fs from 'fs';
import * as path from 'path';
import { compileErrors, exportedVariables, readmeExamples, variableReferences } from '@devsecops-factory/test-kit';

const packageDir = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
const examples = readmeExamples(readme);

/**
 * What the actions the README wires export: the CodeStar connections source
 * action (`SourceVariables`), scan-stage-construct's EcrScanStage under the
 * namespace its README gives it (`EcrScan`, the canonical buildspec of this
 * repository) and the deploy stages under their default namespaces.
 */
const EXPORTED: Record<string, string[]> = {
  SourceVariables: ['AuthorDate', 'BranchName', 'CommitId', 'CommitMessage', 'ConnectionArn', 'FullRepositoryName'],
  EcrScan: exportedVariables(path.join(packageDir, '..', '..', 'buildspecs', 'ecr-scan.yml')),
  DeployStaging: exportedVariables(path.join(packageDir, 'assets', 'buildspecs', 'eks-deploy.yml')),
  DeployProduction: exportedVariables(path.join(packageDir, 'assets', 'buildspecs', 'eks-deploy.yml')),
};

describe('README examples', () => {
  test('there are examples to check, none left out as a fragment', () => {
    expect(examples.length).toBe(readme.split('\n').filter((line) => line.trim() === '```ts').length);
  });

  test('compile against the public API, each inside a Stack', () => {
    expect(compileErrors(examples, { packageDir, packageName: '@devsecops-factory/eks-deploy-construct' })).toEqual([]);
  }, 180_000);

  test('use only pipeline variables an action exports, in code and in prose', () => {
    expect(EXPORTED.EcrScan).toEqual(['IMAGE_URI', 'IMAGE_DIGEST']);
    expect(EXPORTED.DeployStaging).toEqual(['DEPLOYED_IMAGE']);
    const proseExample = [{ line: 1, lines: readme.split('\n') }];
    const unknown = variableReferences(proseExample)
      .filter((reference) => !(EXPORTED[reference.namespace] ?? []).includes(reference.variable))
      .map((reference) => `README.md:${reference.line}: #{${reference.namespace}.${reference.variable}}`);
    expect(unknown).toEqual([]);
  });
});
