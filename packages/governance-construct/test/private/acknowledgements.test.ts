import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledgeWildcardResources } from '../../src/private/acknowledgements';
import { nagViolations } from '../support/nag';
import { newStack } from '../support/stack';

describe('acknowledgeWildcardResources', () => {
  function policyWith(resources: (bucket: s3.Bucket) => string[], acknowledged: (bucket: s3.Bucket) => string[]) {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('config.amazonaws.com') });
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: resources(bucket) })],
    });
    acknowledgeWildcardResources(policy, acknowledged(bucket), 'test reason');
    return nagViolations(stack).filter((violation) => violation.rule.startsWith('AwsSolutions-IAM5'));
  }

  test('names a tokenised wildcard resource the way cdk-nag reports it', () => {
    expect(policyWith(
      (bucket) => [bucket.arnForObjects('AWSLogs/*')],
      (bucket) => [bucket.arnForObjects('AWSLogs/*')],
    )).toEqual([]);
  });

  test('leaves any other wildcard resource of the same policy reported', () => {
    expect(policyWith(
      (bucket) => [bucket.arnForObjects('AWSLogs/*'), bucket.arnForObjects('other/*')],
      (bucket) => [bucket.arnForObjects('AWSLogs/*')],
    )).toEqual([{ rule: expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Bucket[0-9A-F]+\.Arn>\/other\/\*\]$/), path: 'Governance/Policy/Resource' }]);
  });
});
