import { policyStatements } from '@devsecops-factory/test-kit';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  CodeScanStage, DastScanStage, EcrScanStage, ImageScanner, ImageScanStage, SecretsScanStage, ZapScanType,
} from '../../src';
import { USE_CONNECTION_ACTIONS } from '../../src/private/connection-grant';
import { importedRepository, importedSecret, newStack, stageDependencies } from '../support/factory';

const CONNECTION = 'arn:aws:codeconnections:eu-west-1:111111111111:connection/0123abcd-0123-abcd-0123-0123456789ab';

/** Every scan stage behind a full-clone CodeConnections source. */
function factoryBehind(source: (output: codepipeline.Artifact) => codepipeline.IAction) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const secrets = new SecretsScanStage(stack, 'Secrets', deps);
  const code = new CodeScanStage(stack, 'Code', deps);
  const image = new ImageScanStage(stack, 'Image', { ...deps, scanner: ImageScanner.trivy() });
  const ecr = new EcrScanStage(stack, 'Ecr', { ...deps, imageArtifact: image.imageArtifact, ecrRepository: importedRepository(stack) });
  const dast = new DastScanStage(stack, 'Dast', {
    ...deps, targetUrl: 'https://staging.example.com', scanType: ZapScanType.BASELINE, zapApiKey: importedSecret(stack, 'Zap', 'zap'),
  });
  new codepipeline.Pipeline(stack, 'Pipeline', {
    stages: [
      { stageName: 'Source', actions: [source(deps.input)] },
      { stageName: 'Scan', actions: [secrets.action, code.action, image.action] },
      { stageName: 'Publish', actions: [ecr.action] },
      { stageName: 'Dast', actions: [dast.action] },
    ],
  });
  const roles = [secrets, code, image, ecr, dast].map((stage) => stack.getLogicalId(stage.role.node.defaultChild as any));
  return { roles, statements: policyStatements(Template.fromStack(stack)) };
}

const connectionsSource = (output: codepipeline.Artifact) => new actions.CodeStarConnectionsSourceAction({
  actionName: 'Source', connectionArn: CONNECTION, owner: 'acme', repo: 'shop', output, codeBuildCloneOutput: true,
});

describe('grantUseConnection', () => {
  test('every project cloning through a connection may use it under both service prefixes (codeconnections ARNs since 2024)', () => {
    const { roles, statements } = factoryBehind(connectionsSource);
    for (const role of roles) {
      const granted = statements
        .filter((s) => s.resourceType === 'AWS::IAM::Policy' && s.logicalId.startsWith(role.replace(/[0-9A-F]{8}$/, '')))
        .filter((s) => s.resources.includes(CONNECTION))
        .flatMap((s) => s.actions);
      expect(granted.sort()).toEqual([...USE_CONNECTION_ACTIONS].sort());
    }
  });

  test('grants no connection use behind a source that is not a connection', () => {
    const { statements } = factoryBehind((output) => new actions.S3SourceAction({
      actionName: 'Source', bucket: s3.Bucket.fromBucketName(newStack(), 'Bucket', 'source-bucket'), bucketKey: 'source.zip', output,
    }));
    expect(statements.flatMap((s) => s.actions).filter((a) => a.endsWith(':UseConnection'))).toEqual([]);
  });
});
