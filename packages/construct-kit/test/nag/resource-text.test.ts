import { nagViolations } from '@devsecops-factory/test-kit';
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { acknowledgeWildcardResource, nagResourceText } from '../../src';

/** `rule path` of every finding of the two packs the factory runs, under `scope`. */
const findings = (scope: IConstruct): string[] => nagViolations(scope).map((violation) => `${violation.rule} ${violation.path}`);

const newStack = (app = new App()) => new Stack(app, 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });

describe('nagResourceText', () => {
  test('names a literal resource as written', () => {
    expect(nagResourceText(newStack(), 'arn:aws:s3:::bucket/*')).toBe('arn:aws:s3:::bucket/*');
  });

  test('names Ref, Fn::GetAtt and Fn::Join the way cdk-nag prints them', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Reports');
    const logicalId = stack.resolve(bucket.bucketName).Ref;
    expect(nagResourceText(stack, bucket.arnForObjects('raw/*'))).toBe(`<${logicalId}.Arn>/raw/*`);
    expect(nagResourceText(stack, `${stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'x' })}:*`))
      .toBe('arn:<AWS::Partition>:logs:eu-west-1:111111111111:log-group/x:*');
  });

  test('names Fn::Sub by its template and Fn::ImportValue by its export name, as cdk-nag does', () => {
    const stack = newStack();
    expect(nagResourceText(stack, Fn.sub('arn:${AWS::Partition}:s3:::reports-${AWS::AccountId}/*'))).toBe(
      'arn:<AWS::Partition>:s3:::reports-<AWS::AccountId>/*',
    );
    expect(nagResourceText(stack, `${Fn.importValue('Shared:ReportsBucketArn')}/*`)).toBe('Shared:ReportsBucketArn/*');
  });
});

describe('acknowledgeWildcardResource', () => {
  function iam5Findings(granted: (bucket: s3.Bucket) => string[], acknowledged: (bucket: s3.Bucket) => string[]): string[] {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('config.amazonaws.com') });
    const policy = new iam.ManagedPolicy(stack, 'Policy', {
      roles: [role],
      statements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: granted(bucket) })],
    });
    for (const resource of acknowledged(bucket)) acknowledgeWildcardResource(policy, resource, 'test reason');
    return findings(stack).filter((finding) => finding.startsWith('AwsSolutions-IAM5'));
  }

  test('silences the finding of exactly the resource it names', () => {
    expect(iam5Findings((bucket) => [bucket.arnForObjects('AWSLogs/*')], () => [])).toHaveLength(1);
    expect(iam5Findings((bucket) => [bucket.arnForObjects('AWSLogs/*')], (bucket) => [bucket.arnForObjects('AWSLogs/*')])).toEqual([]);
  });

  test('leaves any other wildcard resource of the same policy reported', () => {
    expect(iam5Findings(
      (bucket) => [bucket.arnForObjects('AWSLogs/*'), bucket.arnForObjects('other/*')],
      (bucket) => [bucket.arnForObjects('AWSLogs/*')],
    )).toEqual([expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Bucket[0-9A-F]+\.Arn>\/other\/\*\] Stack\/Policy\/Resource$/)]);
  });
});
