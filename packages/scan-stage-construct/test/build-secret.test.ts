import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BuildSecret } from '../src';
import { newStack } from './support/factory';
import { policyStatements } from './support/iam-policies';

describe('BuildSecret', () => {
  test('a Secrets Manager secret becomes a SECRETS_MANAGER variable, optionally one JSON field', () => {
    const stack = newStack();
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'S', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:token-AbCdEf');
    expect(BuildSecret.fromSecretsManager(secret).environmentVariable()).toEqual({ type: 'SECRETS_MANAGER', value: secret.secretArn });
    expect(BuildSecret.fromSecretsManager(secret, 'apiKey').environmentVariable().value).toBe(`${secret.secretArn}:apiKey`);
  });

  test('an SSM SecureString becomes a PARAMETER_STORE variable holding the name only', () => {
    expect(BuildSecret.fromSsmSecureString('/factory/token').environmentVariable()).toEqual({ type: 'PARAMETER_STORE', value: '/factory/token' });
  });

  test('granting read covers the secret (and its key, through the key policy), nothing else', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const secret = new secretsmanager.Secret(stack, 'Secret', { encryptionKey: key });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
    BuildSecret.fromSecretsManager(secret).grantRead(role);
    const statements = policyStatements(Template.fromStack(stack));
    const granted = statements.filter((s) => s.resourceType === 'AWS::IAM::Policy');
    expect(granted.flatMap((s) => s.actions).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(granted.flatMap((s) => s.resources)).toEqual([{ Ref: expect.stringMatching(/^Secret/) }]);
    const keyGrant = statements.find((s) => s.resourceType === 'AWS::KMS::Key' && JSON.stringify(s.principal).includes('Role'));
    expect(keyGrant?.actions).toEqual(['kms:Decrypt']);
    expect(JSON.stringify(keyGrant?.condition)).toContain('kms:ViaService');
  });
});
