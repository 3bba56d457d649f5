import { identityFromFunctionArn, InvalidReportUpload, parseReportMetadata } from '../../src/lambda/report-metadata';

describe('report metadata', () => {
  test('derives the scope from repository, branch, stage and tool', () => {
    expect(parseReportMetadata({ 'tool': 'grype', 'repository': 'shop', 'branch': 'main', 'stage': 'image', 'image-digest': 'sha256:ab' })).toMatchObject({
      tool: 'grype',
      scope: 'shop@main#image/grype',
      image: 'sha256:ab',
    });
  });

  test('an explicit scope wins', () => {
    expect(parseReportMetadata({ tool: 'zap', scope: 'shop/main/dast/zap', repository: 'shop', branch: 'main', stage: 'dast' }).scope).toBe('shop/main/dast/zap');
  });

  test('refuses a report without tool or without any scope', () => {
    expect(() => parseReportMetadata(undefined)).toThrow(InvalidReportUpload);
    expect(() => parseReportMetadata({ tool: 'zap', repository: 'shop' })).toThrow(/needs 'scope' metadata/);
  });

  test('takes account and partition from the function ARN, Region from the environment', () => {
    expect(identityFromFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f', 'us-gov-west-1')).toEqual({ account: '123456789012', region: 'us-gov-west-1', partition: 'aws-us-gov' });
    expect(identityFromFunctionArn('arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live', undefined)).toEqual({ account: '123456789012', region: 'cn-north-1', partition: 'aws-cn' });
    expect(() => identityFromFunctionArn('arn:aws:s3:::bucket', 'us-east-1')).toThrow(/not a Lambda function ARN/);
  });
});
