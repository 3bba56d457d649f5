import { nagViolations, policyStatements } from '@devsecops-factory/test-kit';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BuildSecret } from '../src';
import { newStack } from './support/factory';

/**
 * A CodeBuild project reading `secret` as a variable, granted as the scan stages grant it: aws-cdk-lib's
 * Project adds its own GetSecretValue for the variable, BuildSecret the read.
 */
function projectReading(stack: Stack, secret: secretsmanager.ISecret) {
  const buildSecret = BuildSecret.fromSecretsManager(secret, 'token');
  const project = new codebuild.PipelineProject(stack, 'Project', { environmentVariables: { TOKEN: buildSecret.environmentVariable() } });
  buildSecret.grantRead(project);
  const template = Template.fromStack(stack);
  const secretStatements = policyStatements(template)
    .filter((s) => s.resourceType === 'AWS::IAM::Policy' && s.actions.some((action) => action.startsWith('secretsmanager:')));
  const variable = template.findResources('AWS::CodeBuild::Project')[Object.keys(template.findResources('AWS::CodeBuild::Project'))[0]]
    .Properties.Environment.EnvironmentVariables.find((v: any) => v.Name === 'TOKEN');
  const wildcards = nagViolations(stack).map((v) => v.rule).filter((rule) => /^AwsSolutions-IAM5\[Resource::.*:(secretsmanager|kms):/.test(rule));
  return { secretStatements, variable, wildcards };
}

const COMPLETE_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:factory/snyk-AbCdEf';

describe('BuildSecret', () => {
  test('a Secrets Manager secret becomes a SECRETS_MANAGER variable, optionally one JSON field', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:token-AbCdEf');
    const variable = BuildSecret.fromSecretsManager(secret).environmentVariable();
    expect(variable.type).toBe('SECRETS_MANAGER');
    expect(stack.resolve(variable.value)).toBe(secret.secretArn);
    expect(stack.resolve(BuildSecret.fromSecretsManager(secret, 'apiKey').environmentVariable().value)).toBe(`${secret.secretArn}:apiKey`);
  });

  test('an SSM SecureString becomes a PARAMETER_STORE variable holding the name only', () => {
    expect(BuildSecret.fromSsmSecureString('/factory/token').environmentVariable()).toEqual({ type: 'PARAMETER_STORE', value: '/factory/token' });
  });

  test('granting read is GetSecretValue on the secret (and decrypt with its key, through Secrets Manager), nothing else', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    BuildSecret.fromSecretsManager(secret).grantRead(role);
    const statements = policyStatements(Template.fromStack(stack));
    const granted = statements.filter((s) => s.resourceType === 'AWS::IAM::Policy');
    expect(granted.flatMap((s) => s.actions)).toEqual(['secretsmanager:GetSecretValue']);
    expect(granted.flatMap((s) => s.resources)).toEqual([{ Ref: expect.stringMatching(/^Secret/) }]);
    const keyGrant = statements.find((s) => s.resourceType === 'AWS::KMS::Key' && JSON.stringify(s.principal).includes('Role'));
    expect(keyGrant?.actions).toEqual(['kms:Decrypt']);
    expect(JSON.stringify(keyGrant?.condition)).toContain('kms:ViaService');
  });

  test('a secret given by complete ARN is read by exactly that ARN, no name prefix', () => {
    const stack = newStack();
    const { secretStatements, variable, wildcards } = projectReading(stack, secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', COMPLETE_ARN));
    expect(variable).toEqual({ Name: 'TOKEN', Type: 'SECRETS_MANAGER', Value: `${COMPLETE_ARN}:token` });
    // aws-cdk-lib's grant and BuildSecret's are the same statement, which the policy holds once.
    expect(secretStatements.map((s) => [s.actions, s.resources])).toEqual([[['secretsmanager:GetSecretValue'], [COMPLETE_ARN]]]);
    expect(wildcards).toEqual([]);
  });

  test('a secret given by name is read with AWS\'s random suffix of that name only, which cdk-nag accepts', () => {
    const stack = newStack();
    const { secretStatements, variable, wildcards } = projectReading(stack, secretsmanager.Secret.fromSecretNameV2(stack, 'S', 'factory/snyk'));
    const partialArn = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:factory/snyk';
    expect(variable.Value).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:eu-west-1:111111111111:secret:factory/snyk:token']],
    });
    const rendered = secretStatements.map((s) => [s.actions, s.resources.map((r) => stack.resolve(r)).map(literal)]);
    // aws-cdk-lib's own grant names the partial ARN, which is no secret's ARN; the read is the suffixed one.
    expect(rendered).toEqual([
      [['secretsmanager:GetSecretValue'], [partialArn]],
      [['secretsmanager:GetSecretValue'], [`${partialArn}-??????`]],
    ]);
    expect(wildcards).toEqual([]);
  });

  test('a secret of another account without its key keeps aws-cdk-lib\'s wider grant, and cdk-nag still reports it', () => {
    const stack = newStack();
    const arn = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:factory/snyk-AbCdEf';
    const { variable, wildcards } = projectReading(stack, secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', arn));
    expect(variable.Value).toBe(`${arn}:token`);
    expect(wildcards).toEqual([
      'AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:eu-west-1:222222222222:secret:factory/snyk-AbCdEf*]',
      'AwsSolutions-IAM5[Resource::arn:aws:kms:eu-west-1:222222222222:key/*]',
    ]);
  });

  test('a secret of another account imported with its key is read by exactly its ARN, decrypted with that key only', () => {
    const stack = newStack();
    const arn = 'arn:aws:secretsmanager:eu-west-1:222222222222:secret:factory/snyk-AbCdEf';
    const keyArn = 'arn:aws:kms:eu-west-1:222222222222:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    const secret = secretsmanager.Secret.fromSecretAttributes(stack, 'S', {
      secretCompleteArn: arn, encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn),
    });
    const { secretStatements, wildcards } = projectReading(stack, secret);
    expect(secretStatements.map((s) => [s.actions, s.resources])).toEqual([[['secretsmanager:GetSecretValue'], [arn]]]);
    expect(wildcards).toEqual([]);
    const decrypt = policyStatements(Template.fromStack(stack)).filter((s) => s.actions.includes('kms:Decrypt'));
    expect(decrypt.map((s) => s.resources)).toEqual([[keyArn]]);
    expect(JSON.stringify(decrypt[0].condition)).toContain('kms:ViaService');
  });
});

/** A `Fn::Join` of the partition and literals, as text (the partition as `aws`). */
function literal(value: unknown): unknown {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  return join ? join[1].map((part) => (typeof part === 'string' ? part : 'aws')).join(join[0]) : value;
}
