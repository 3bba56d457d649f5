import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readBootstrapQualifier, readCloudAssembly } from '../../src/preflight/cloud-assembly';
import { DEFAULT_KUBECTL } from '../../src/preflight/cluster';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'preflight-assembly-'));
}

describe('cloud assembly facts', () => {
  test('undefined when the app was not synthesized', () => {
    expect(readCloudAssembly(join(tempDir(), 'cdk.out'))).toBeUndefined();
  });

  test('reads the bootstrap requirement, the reservations and the kubectl of a synthesized app', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({
      artifacts: {
        'Factory.assets': {
          type: 'cdk:asset-manifest',
          properties: { requiresBootstrapStackVersion: 6, bootstrapStackVersionSsmParameter: '/cdk-bootstrap/q1/version' },
        },
        'Factory': { type: 'aws:cloudformation:stack', properties: { templateFile: 'Factory.template.json', requiresBootstrapStackVersion: 6 } },
      },
    }));
    // Refusing 1..20 means version 21 is required, more than the manifest says.
    const refused = Array.from({ length: 20 }, (_, i) => String(i + 1));
    writeFileSync(join(dir, 'Factory.template.json'), JSON.stringify({
      Rules: { CheckBootstrapVersion: { Assertions: [{ Assert: { 'Fn::Not': [{ 'Fn::Contains': [refused, { Ref: 'BootstrapVersion' }] }] } }] } },
      Resources: {
        Findings: { Type: 'AWS::Lambda::Function', Properties: { ReservedConcurrentExecutions: 2 } },
        Other: { Type: 'AWS::Lambda::Function', Properties: {} },
        Deploy: {
          Type: 'AWS::CodeBuild::Project',
          Properties: { Environment: { EnvironmentVariables: [{ Name: 'KUBECTL_VERSION', Value: 'v1.30.1' }] } },
        },
      },
    }));
    expect(readCloudAssembly(dir)).toEqual({
      dir,
      requiredBootstrapVersion: 21,
      bootstrapVersionParameter: '/cdk-bootstrap/q1/version',
      reservedConcurrentExecutions: 2,
      kubectlVersion: 'v1.30.1',
    });
  });

  test('the recorded integ snapshot of the reference app reads as bootstrap 6, no reservation, the default kubectl', () => {
    const facts = readCloudAssembly(join(__dirname, '..', 'integ', 'integ.factory.ts.snapshot'));
    expect(facts).toMatchObject({
      bootstrapVersionParameter: '/cdk-bootstrap/hnb659fds/version',
      reservedConcurrentExecutions: 0,
      kubectlVersion: DEFAULT_KUBECTL,
    });
    expect(facts?.requiredBootstrapVersion).toBeGreaterThanOrEqual(6);
  });

  test('reads a custom bootstrap qualifier from cdk.json context, and none from the app\'s own cdk.json', () => {
    const file = join(tempDir(), 'cdk.json');
    writeFileSync(file, JSON.stringify({ context: { '@aws-cdk/core:bootstrapQualifier': 'factory1' } }));
    expect(readBootstrapQualifier(file)).toBe('factory1');
    expect(readBootstrapQualifier(join(__dirname, '..', '..', 'cdk.json'))).toBeUndefined();
  });
});
