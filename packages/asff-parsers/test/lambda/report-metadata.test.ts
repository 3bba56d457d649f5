import { identityFromFunctionArn, InvalidReportUpload, parseReportMetadata, reportLocation } from '../../src/lambda/report-metadata';

describe('report metadata', () => {
  test('derives the scope from repository, branch, stage and tool', () => {
    expect(parseReportMetadata({
      'tool': 'grype', 'repository': 'shop', 'branch': 'main', 'stage': 'image', 'image-digest': 'sha256:ab',
    })).toMatchObject({
      tool: 'grype',
      scope: 'shop@main#image/grype',
      image: 'sha256:ab',
    });
  });

  test('carries the build\'s source root, with or without a key location', () => {
    const metadata = { 'tool': 'grype', 'branch': 'main', 'source-root': '/codebuild/output/src1/src' };
    expect(parseReportMetadata({ ...metadata, repository: 'shop', stage: 'image' }).sourceRoot).toBe('/codebuild/output/src1/src');
    expect(parseReportMetadata(metadata, reportLocation('raw/shop/image/42/grype.json', 'raw/')).sourceRoot).toBe('/codebuild/output/src1/src');
  });

  test('an explicit scope wins', () => {
    expect(parseReportMetadata({ tool: 'zap', scope: 'shop/main/dast/zap', repository: 'shop', branch: 'main', stage: 'dast' }).scope)
      .toBe('shop/main/dast/zap');
  });

  test('refuses a report without tool or without any scope', () => {
    expect(() => parseReportMetadata(undefined)).toThrow(InvalidReportUpload);
    expect(() => parseReportMetadata({ tool: 'zap', repository: 'shop' })).toThrow(/needs 'scope' metadata/);
  });

  test('takes account and partition from the function ARN, Region from the environment', () => {
    expect(identityFromFunctionArn('arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f', 'us-gov-west-1')).toEqual({
      account: '123456789012',
      region: 'us-gov-west-1',
      partition: 'aws-us-gov',
    });
    expect(identityFromFunctionArn('arn:aws-cn:lambda:cn-north-1:123456789012:function:f:live', undefined)).toEqual({
      account: '123456789012',
      region: 'cn-north-1',
      partition: 'aws-cn',
    });
    expect(() => identityFromFunctionArn('arn:aws:s3:::bucket', 'us-east-1')).toThrow(/not a Lambda function ARN/);
  });
});

describe('report location', () => {
  test('reads repository (which may hold /), stage, build and file from the key', () => {
    expect(reportLocation('raw/example-org/shop/image/42/grype.json', 'raw/')).toEqual({
      repository: 'example-org/shop',
      stage: 'image',
      build: '42',
      file: 'grype.json',
    });
  });

  test.each([
    'raw/grype.json', 'raw/shop/42/grype.json', 'raw/shop//image/42/g.json', 'raw/../shop/image/42/g.json', 'converted/shop/image/42/g.json',
  ])(
    'refuses %s', (key) => {
      expect(() => reportLocation(key, 'raw/')).toThrow('the key is not raw/<repository>/<stage>/<build number>/<file>');
    });

  const location = reportLocation('raw/shop/image/42/grype.json', 'raw/');

  test('the scope is the key\'s repository and stage with the build\'s branch and tool', () => {
    expect(parseReportMetadata({ tool: 'grype', branch: 'main', scope: 'shop/main/image/grype' }, location).scope).toBe('shop/main/image/grype');
    expect(parseReportMetadata({ tool: 'grype' }, location)).toMatchObject({ scope: 'shop/default/image/grype', repository: 'shop', stage: 'image' });
  });

  test.each([
    [{ repository: 'bank' }, "'repository' metadata 'bank' contradicts the key's repository 'shop'"],
    [{ stage: 'deploy' }, "'stage' metadata 'deploy' contradicts the key's stage 'image'"],
    [
      { scope: 'bank/main/image/grype' },
      "'scope' metadata 'bank/main/image/grype' is not this report's scope 'shop/default/image/grype' (repository and stage come from the key)",
    ],
    [
      { 'policy-key': 'policies/bank/image/1/p.yml' },
      "'policy-key' metadata 'policies/bank/image/1/p.yml' is outside this report's policies/shop/image/",
    ],
    [
      { 'policy-key': 'policies/shop/image/../../bank/image/1/p.yml' },
      "'policy-key' metadata 'policies/shop/image/../../bank/image/1/p.yml' is outside this report's policies/shop/image/",
    ],
  ])('refuses metadata that contradicts the key: %j', (metadata, message) => {
    expect(() => parseReportMetadata({ tool: 'grype', ...metadata }, location)).toThrow(new InvalidReportUpload(message));
  });
});
