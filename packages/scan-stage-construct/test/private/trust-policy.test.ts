import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { codeBuildTrustConditions } from '../../src/private/trust-policy';
import { buildWholeFactory } from '../support/whole-factory';

const codeBuildRoles = (template: Template) => Object.entries<any>(template.findResources('AWS::IAM::Role'))
  .filter(([, role]) => JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('codebuild.amazonaws.com'));

describe('CodeBuild project role trust (confused-deputy protection)', () => {
  const stack = buildWholeFactory();
  const roles = codeBuildRoles(Template.fromStack(stack));

  test('covers the role of every scan project', () => {
    const projects = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'));
    expect(projects).toHaveLength(5);
    expect(roles.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] })).sort()).toEqual(projects.map((p) => p.Properties.ServiceRole).sort());
  });

  test('lets CodeBuild assume each role only for a project of this account and Region', () => {
    for (const [, role] of roles) {
      const statements = role.Properties.AssumeRolePolicyDocument.Statement;
      expect(statements).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codebuild:eu-west-1:111111111111:project/*']] } },
        },
      }]);
    }
  });

  test('stays partition, account and Region agnostic in an environment-agnostic stack', () => {
    const agnostic = new Stack(new App(), 'Agnostic');
    expect(agnostic.resolve(codeBuildTrustConditions(agnostic))).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: {
        'aws:SourceArn': {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codebuild:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':project/*']],
        },
      },
    });
  });
});
