import { createHash } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { acknowledgementsIn, nagViolations, Violation, violationsWithout } from '@devsecops-factory/test-kit';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AsffCli, CodeScanStage, SecretsScanStage } from '../src';
import { newStack, projectEnvironment, stageDependencies } from './support/factory';

const BUNDLE = join(__dirname, '..', 'assets', 'asff-cli', 'asff.js');
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

const INTEGRITY = `sha512-${Buffer.alloc(64, 7).toString('base64')}`;

function twoStages(asffCli?: AsffCli): Stack {
  const stack = newStack();
  const deps = stageDependencies(stack);
  new SecretsScanStage(stack, 'Secrets', { ...deps, asffCli });
  new CodeScanStage(stack, 'Code', { ...deps, asffCli });
  return stack;
}

/** The statements of the default policy of the project role whose logical id starts with `prefix`. */
function roleStatements(template: Template, prefix: string): any[] {
  const policies = Object.entries<any>(template.toJSON().Resources)
    .filter(([id, r]) => r.Type === 'AWS::IAM::Policy' && id.startsWith(prefix));
  return policies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** Violations on the stage projects' roles (the test's own bucket and key are not under test here). */
function roleViolations(violations: Violation[]): Violation[] {
  return violations.filter((v) => /^Factory\/(Secrets|Code)\/Project\/Role\//.test(v.path));
}

describe('AsffCli.fromAsset (the default)', () => {
  const stack = twoStages();
  const template = Template.fromStack(stack);

  test('deploys the CLI bundle as one file asset per stack, however many stages use it', () => {
    const assets = stack.node.findAll().filter((c) => c.node.id === 'AsffCliBundle');
    expect(assets.map((a) => a.node.path)).toEqual(['Factory/AsffCliBundle']);
  });

  test('tells each build the asset object and the sha256 of the bundle this package ships', () => {
    const expected = sha256(readFileSync(BUNDLE));
    for (const prefix of ['SecretsProject', 'CodeProject']) {
      const environment = projectEnvironment(template.toJSON(), prefix);
      expect(environment.ASFF_CLI_SOURCE.Value).toBe('asset');
      expect(environment.ASFF_CLI_SHA256.Value).toBe(expected);
      expect(environment.ASFF_CLI_S3_URI.Value).toMatch(/^s3:\/\/cdk-[a-z0-9]+-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.js$/);
      expect(environment.ASFF_CLI_VERSION).toBeUndefined();
    }
  });

  test('the object the build downloads is byte for byte the file whose sha256 the build checks', () => {
    const assembly = stack.node.root as any;
    const out = assembly.synth();
    const manifest = JSON.parse(readFileSync(join(out.directory, 'Factory.assets.json'), 'utf8'));
    const uri = projectEnvironment(template.toJSON(), 'SecretsProject').ASFF_CLI_S3_URI.Value as string;
    const objectKey = uri.split('/').pop();
    const [asset] = Object.values<any>(manifest.files).filter((f) => Object.values<any>(f.destinations).some((d) => d.objectKey === objectKey));
    expect(asset.source.packaging).toBe('file');
    const uploaded = readFileSync(join(out.directory, asset.source.path));
    expect(sha256(uploaded)).toBe(projectEnvironment(template.toJSON(), 'SecretsProject').ASFF_CLI_SHA256.Value);
  });

  test('may read that one object of the bootstrap bucket and nothing else of it', () => {
    const bundleObject = /^:s3:::cdk-[a-z0-9]+-assets-111111111111-eu-west-1\/[0-9a-f]{64}\.js$/;
    for (const prefix of ['SecretsProjectRole', 'CodeProjectRole']) {
      const reads = roleStatements(template, prefix).filter((s) => JSON.stringify(s.Resource ?? '').includes('cdk-'));
      expect(reads).toEqual([{
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, expect.stringMatching(bundleObject)]] },
      }]);
    }
  });

  test('grants kms:Decrypt on the bootstrap key only when the bucket uses a customer managed key', () => {
    const without = roleStatements(template, 'SecretsProjectRole').filter((s) => s.Action === 'kms:Decrypt');
    expect(without).toEqual([]);
    const stack2 = newStack();
    const key = kms.Key.fromKeyArn(stack2, 'BootstrapKey', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    new SecretsScanStage(stack2, 'Secrets', { ...stageDependencies(stack2), asffCli: AsffCli.fromAsset({ assetBucketKey: key }) });
    const statements = roleStatements(Template.fromStack(stack2), 'SecretsProjectRole').filter((s) => s.Action === 'kms:Decrypt');
    expect(statements).toEqual([{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key.keyArn }]);
  });

  test('adds no cdk-nag violation to the stages\' roles', () => {
    expect(roleViolations(nagViolations(stack))).toEqual([]);
  });
});

describe('AsffCli.fromCodeArtifact', () => {
  const codeArtifact = () => AsffCli.fromCodeArtifact({ domain: 'factory', repository: 'npm-internal', version: '1.4.2', integrity: INTEGRITY });

  test('selects the CodeArtifact source with the exact version and integrity the build checks', () => {
    const environment = projectEnvironment(Template.fromStack(twoStages(codeArtifact())).toJSON(), 'SecretsProject');
    expect(Object.fromEntries(Object.entries(environment).filter(([k]) => k.startsWith('ASFF_CLI_')).map(([k, v]) => [k, v.Value]))).toEqual({
      ASFF_CLI_SOURCE: 'codeartifact',
      ASFF_CLI_CODEARTIFACT_DOMAIN: 'factory',
      ASFF_CLI_CODEARTIFACT_OWNER: '111111111111',
      ASFF_CLI_CODEARTIFACT_REPOSITORY: 'npm-internal',
      ASFF_CLI_VERSION: '1.4.2',
      ASFF_CLI_INTEGRITY: INTEGRITY,
    });
  });

  test('deploys no asset and grants read on the one domain, repository and package', () => {
    const stack = twoStages(codeArtifact());
    expect(stack.node.findAll().filter((c) => c.node.id === 'AsffCliBundle')).toEqual([]);
    const statements = roleStatements(Template.fromStack(stack), 'SecretsProjectRole');
    const arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:codeartifact:eu-west-1:111111111111:${resource}`]] });
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'codeartifact:GetAuthorizationToken', Resource: arn('domain/factory') },
      {
        Effect: 'Allow',
        Action: ['codeartifact:GetRepositoryEndpoint', 'codeartifact:ReadFromRepository'],
        Resource: arn('repository/factory/npm-internal'),
      },
      {
        Effect: 'Allow',
        Action: 'codeartifact:ReadFromRepository',
        Resource: arn('package/factory/npm-internal/npm/devsecops-factory/asff-parsers'),
      },
      {
        Effect: 'Allow',
        Action: 'sts:GetServiceBearerToken',
        Resource: '*',
        Condition: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
      },
    ]));
  });

  test('refuses version ranges and anything but a sha512 integrity at synth', () => {
    expect(() => AsffCli.fromCodeArtifact({ domain: 'd', repository: 'r', version: '^1.4.0', integrity: INTEGRITY })).toThrow(/not an exact version/);
    expect(() => AsffCli.fromCodeArtifact({ domain: 'd', repository: 'r', version: '1.4.2', integrity: 'sha1-abc' })).toThrow(/sha512 npm integrity/);
  });

  test('the bearer-token acknowledgement is needed: without it the wildcard is a violation', () => {
    const build = () => twoStages(codeArtifact());
    const acknowledgements = acknowledgementsIn(build()).filter((a) => a.id === 'AwsSolutions-IAM5[Resource::*]');
    expect(acknowledgements.map((a) => a.path)).toEqual(['Factory/Secrets/Project/Role', 'Factory/Code/Project/Role']);
    expect(roleViolations(nagViolations(build()))).toEqual([]);
    expect(roleViolations(violationsWithout(build(), acknowledgements[0]))).toEqual([
      { rule: 'AwsSolutions-IAM5[Resource::*]', path: 'Factory/Secrets/Project/Role/DefaultPolicy/Resource' },
    ]);
  });
});
