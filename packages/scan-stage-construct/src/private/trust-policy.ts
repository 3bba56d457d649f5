import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * Confused-deputy protection on a CodeBuild project's service role: CodeBuild
 * may assume it only on behalf of a project of this account and Region.
 *
 * `aws:SourceArn` cannot name the project itself: its ARN carries the name
 * CloudFormation generates for it, and the project depends on the role, so
 * referencing it from the role's trust policy would be a circular dependency.
 */
export function codeBuildTrustConditions(stack: Stack): Record<string, Record<string, string>> {
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: {
      'aws:SourceArn': stack.formatArn({ service: 'codebuild', resource: 'project', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    },
  };
}

/** Adds {@link codeBuildTrustConditions} to the trust policy of the role aws-cdk-lib created for the project. */
export function protectProjectRoleTrust(project: codebuild.Project): void {
  const role = project.role?.node.defaultChild;
  if (!(role instanceof iam.CfnRole)) return;
  // The role aws-cdk-lib creates trusts codebuild.amazonaws.com in its one statement.
  role.addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', codeBuildTrustConditions(Stack.of(project)));
}
