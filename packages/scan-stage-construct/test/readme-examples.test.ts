import * as fs from 'fs';
import * as path from 'path';
import { compileErrors, exportedVariables, readmeExamples, variableReferences } from './support/readme-examples';

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

describe('README examples', () => {
  test('there are examples to check, none left out as a fragment', () => {
    expect(examples.length).toBe(fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8').split('\n').filter((line) => line.trim() === '```ts').length);
  });

  test('compile against the public API, one after the other inside a Stack', () => {
    expect(compileErrors(examples, { packageDir, packageName: '@devsecops-factory/scan-stage-construct', cumulative: true })).toEqual([]);
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
});
