import { readmeExamples, variableReferences } from '../src';

const README = [
  '# Example',
  '```ts',
  "import { Bucket } from 'aws-cdk-lib/aws-s3';",
  "new Bucket(this, 'Reports');",
  '```',
  '```ts',
  '// fragment',
  'props.partial,',
  '```',
  'Read #{EcrScan.IMAGE_DIGEST} after the scan.',
].join('\n');

describe('README examples', () => {
  test('are the ```ts blocks, with their first README line, fragments left out', () => {
    expect(readmeExamples(README)).toEqual([{ line: 3, lines: ["import { Bucket } from 'aws-cdk-lib/aws-s3';", "new Bucket(this, 'Reports');"] }]);
  });

  test('name the pipeline variables they read, with the README line', () => {
    expect(variableReferences([{ line: 1, lines: README.split('\n') }])).toEqual([{ line: 10, namespace: 'EcrScan', variable: 'IMAGE_DIGEST' }]);
  });
});
