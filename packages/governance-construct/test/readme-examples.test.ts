import * as fs from 'fs';
import * as path from 'path';
import { compileErrors, readmeExamples } from '@devsecops-factory/test-kit';

const packageDir = path.join(__dirname, '..');
const examples = readmeExamples(fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8'));

describe('README examples', () => {
  test('there are examples to check', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  test('compile against the public API, inside a Stack', () => {
    expect(compileErrors(examples, { packageDir, packageName: '@devsecops-factory/governance-construct' })).toEqual([]);
  }, 120_000);
});
