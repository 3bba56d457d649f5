import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import * as governance from '../src';

const declaration = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'nist-controls.json'), 'utf8'));

describe('nist-controls.json of this package', () => {
  test('declares every exported construct, and nothing else', () => {
    const exportedConstructs = Object.entries(governance)
      .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Construct)
      .map(([name]) => name)
      .sort();
    const declared = declaration.components.map((component: { name: string }) => component.name).sort();
    expect(declared).toEqual(exportedConstructs);
  });

  test('PipelineGovernance inherits the controls of every construct it creates', () => {
    const composite = declaration.components.find((component: { name: string }) => component.name === 'PipelineGovernance');
    const others = declaration.components
      .map((component: { name: string }) => component.name)
      .filter((name: string) => name !== 'PipelineGovernance');
    expect([...composite.composes].sort()).toEqual(others.sort());
  });
});
