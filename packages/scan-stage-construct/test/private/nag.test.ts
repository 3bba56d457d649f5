import * as s3 from 'aws-cdk-lib/aws-s3';
import { nagResourceText } from '../../src/private/nag';
import { newStack } from '../support/factory';

describe('nagResourceText', () => {
  test('names a literal resource as written', () => {
    expect(nagResourceText(newStack(), 'arn:aws:s3:::bucket/*')).toBe('arn:aws:s3:::bucket/*');
  });

  test('names references the way cdk-nag prints them', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Reports');
    const logicalId = stack.resolve(bucket.bucketName).Ref;
    expect(nagResourceText(stack, bucket.arnForObjects('raw/*'))).toBe(`<${logicalId}.Arn>/raw/*`);
    expect(nagResourceText(stack, `${stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: 'x' })}:*`))
      .toBe('arn:<AWS::Partition>:logs:eu-west-1:111111111111:log-group/x:*');
  });
});
