import { acknowledgeWildcardResource } from '@devsecops-factory/construct-kit';
import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The repository part of every key a stage writes, as the stage's project has it (`SCOPE_REPOSITORY`):
 * `createScanProject` has already refused anything but a literal.
 */
export function stageRepository(scope: Construct, sourceRepository: string | undefined): string {
  return sourceRepository ?? Stack.of(scope).stackName;
}

/**
 * PutObject under `<prefix><repository>/` only: the stage writes one object per image (keyed by its digest)
 * and may neither read nor overwrite another repository's. An explicit statement, as `grantPut` would add
 * `s3:Abort*`.
 */
export function grantSupplyChainUpload(
  project: codebuild.IProject, bucket: s3.IBucket, prefix: string, repository: string, what: string,
): void {
  const objects = bucket.arnForObjects(`${prefix}${repository}/*`);
  project.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }));
  acknowledgeWildcardResource(project.role!, objects,
    `Each build writes the ${what} of a new image, named by its digest (${prefix}<repository>/sha256-<hex>.*); `
    + 'PutObject only, under this stage\'s own repository prefix.');
}
