import { CfnTemplate, evaluate, iamGlobMatches, IntrinsicResolver, resolveStatements, rolePolicies } from '../support/iam-matcher';

const template: CfnTemplate = {
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket' },
    Key: { Type: 'AWS::KMS::Key' },
    Repo: { Type: 'AWS::ECR::Repository' },
    Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: [{ Ref: 'Managed' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess'] } },
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: {
        Roles: [{ Ref: 'Role' }],
        PolicyDocument: {
          Statement: [
            { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/raw/*']] } },
            { Effect: 'Allow', Action: ['s3:GetObject*', 'ecr:Describe?mages'], Resource: '*' },
            { Effect: 'Deny', Action: 's3:GetObjectAcl', Resource: '*' },
          ],
        },
      },
    },
    Managed: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: {
          Statement: [{
            Effect: 'Allow',
            Action: 'kms:Decrypt',
            Resource: { 'Fn::GetAtt': ['Key', 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
          }],
        },
      },
    },
  },
};

const { statements, externalManagedPolicies } = rolePolicies(template, 'Role');
const resolver = new IntrinsicResolver(template);
const bucketArn = resolver.getAtt('Bucket', 'Arn');

describe('IAM matcher', () => {
  test('allows an action on a resource the statement names, through the resolved intrinsics', () => {
    expect(evaluate(statements, 's3:PutObject', `${bucketArn}/raw/repo/code/1/report.json`)).toMatchObject({ allowed: true });
  });

  test('refuses an action no statement names', () => {
    expect(evaluate(statements, 's3:DeleteObject', `${bucketArn}/raw/x`).allowed).toBe(false);
  });

  test('refuses a granted action on a resource outside the statement', () => {
    expect(evaluate(statements, 's3:PutObject', `${bucketArn}/converted/x`).allowed).toBe(false);
    expect(evaluate(statements, 's3:PutObject', 'arn:aws:s3:::other-bucket/raw/x').allowed).toBe(false);
  });

  test('matches IAM wildcards in actions (case-insensitively) and resources', () => {
    expect(evaluate(statements, 's3:GetObjectVersion', 'arn:aws:s3:::any/key').allowed).toBe(true);
    expect(evaluate(statements, 'S3:getobject', 'arn:aws:s3:::any/key').allowed).toBe(true);
    expect(evaluate(statements, 'ecr:DescribeImages', 'arn:aws:ecr:us-east-1:111111111111:repository/r').allowed).toBe(true);
    expect(evaluate(statements, 'ecr:DescribeXXImages', 'arn:aws:ecr:us-east-1:111111111111:repository/r').allowed).toBe(false);
    expect(iamGlobMatches('arn:aws:s3:::b/raw/*', 'arn:aws:s3:::b/raw/a/b/c')).toBe(true);
    expect(iamGlobMatches('arn:aws:s3:::b/raw/*', 'arn:aws:s3:::b/rawx')).toBe(false);
    expect(iamGlobMatches('arn:aws:s3:::B/*', 'arn:aws:s3:::b/x')).toBe(false);
  });

  test('an explicit Deny wins over an Allow', () => {
    const decision = evaluate(statements, 's3:GetObjectAcl', 'arn:aws:s3:::any/key');
    expect(decision.allowed).toBe(false);
    expect(decision.deniedBy?.effect).toBe('Deny');
  });

  test('reads in-template managed policies, reports their conditions, and lists external ones it cannot read', () => {
    const decision = evaluate(statements, 'kms:Decrypt', resolver.getAtt('Key', 'Arn'));
    expect(decision.allowed).toBe(true);
    expect(decision.grantedBy?.source).toBe('Managed');
    expect(decision.grantedBy?.condition).toBeDefined();
    expect(externalManagedPolicies).toEqual(['"arn:aws:iam::aws:policy/ReadOnlyAccess"']);
  });

  test('NotAction and NotResource grant everything but what they name', () => {
    const notAction = resolveStatements({ Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }, 'p', resolver);
    expect(evaluate(notAction, 's3:GetObject', '*').allowed).toBe(true);
    expect(evaluate(notAction, 'iam:PassRole', '*').allowed).toBe(false);
    const notResource = resolveStatements({ Statement: [{ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' }] }, 'p', resolver);
    expect(evaluate(notResource, 's3:GetObject', 'arn:aws:s3:::public/x').allowed).toBe(true);
    expect(evaluate(notResource, 's3:GetObject', 'arn:aws:s3:::secret/x').allowed).toBe(false);
  });

  test('resolves a repository URI built from its ARN to the same name as its Ref', () => {
    const arn = { 'Fn::GetAtt': ['Repo', 'Arn'] };
    const uri = resolver.resolve({
      'Fn::Join': ['', [
        { 'Fn::Select': [4, { 'Fn::Split': [':', arn] }] }, '.dkr.ecr.', { 'Fn::Select': [3, { 'Fn::Split': [':', arn] }] },
        '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'Repo' },
      ]],
    });
    expect(uri).toBe('111111111111.dkr.ecr.us-east-1.amazonaws.com/repo');
    expect(resolver.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/x' })).toBe(`${bucketArn}/x`);
  });

  test('refuses to guess an intrinsic it does not know', () => {
    expect(() => resolver.resolve({ 'Fn::If': ['Cond', 'a', 'b'] })).toThrow(/cannot resolve Fn::If/);
  });
});
