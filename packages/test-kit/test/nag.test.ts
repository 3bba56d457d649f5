import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgementsIn, nagViolations, removeAcknowledgements, violationsWithout } from '../src';

/** A role with a wildcard resource, its finding acknowledged, and a second construct with another acknowledgement. */
function acknowledgedStack() {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::reports/*'] }));
  Validations.of(role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]', reason: 'one key per report' });
  Validations.of(role).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: 'the role\'s own policy' });
  const bucket = new s3.Bucket(stack, 'Bucket', { enforceSSL: true, versioned: true });
  Validations.of(bucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'no access logs for this test bucket' });
  return { stack, role, bucket };
}

describe('nag helpers', () => {
  test('acknowledgementsIn lists the cdk-nag acknowledgements by construct path and finding id', () => {
    const { stack } = acknowledgedStack();
    expect(acknowledgementsIn(stack).map((ack) => `${ack.path} ${ack.id}`)).toEqual([
      'Test/Role AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]',
      'Test/Role NIST.800.53.R5-IAMNoInlinePolicy',
      'Test/Bucket AwsSolutions-S1',
    ]);
  });

  test('violationsWithout returns what one acknowledgement hides, and puts it back', () => {
    const { stack } = acknowledgedStack();
    const hidden = nagViolations(stack).filter((violation) => violation.path.startsWith('Test/Role'));
    expect(hidden).toEqual([]);
    const [wildcard] = acknowledgementsIn(stack);
    expect(violationsWithout(stack, wildcard)).toEqual([{ rule: wildcard.id, path: 'Test/Role/DefaultPolicy/Resource' }]);
    expect(acknowledgementsIn(stack)).toHaveLength(3);
    expect(nagViolations(stack).filter((violation) => violation.path.startsWith('Test/Role'))).toEqual([]);
  });

  test('violationsWithout refuses an acknowledgement that is not there', () => {
    const { stack } = acknowledgedStack();
    expect(() => violationsWithout(stack, { path: 'Test/Role', id: 'AwsSolutions-IAM4' })).toThrow(/no acknowledgement of AwsSolutions-IAM4/);
  });

  test('removeAcknowledgements takes away for good only what matches', () => {
    const { stack } = acknowledgedStack();
    const removed = removeAcknowledgements(stack, (ack) => ack.path === 'Test/Role');
    expect(removed.map((ack) => ack.id).sort()).toEqual(['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]', 'NIST.800.53.R5-IAMNoInlinePolicy']);
    expect(acknowledgementsIn(stack).map((ack) => ack.id)).toEqual(['AwsSolutions-S1']);
    expect(nagViolations(stack).map((violation) => violation.rule))
      .toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Resource::arn:aws:s3:::reports/*]']));
  });
});
