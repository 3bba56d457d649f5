import { nagViolations } from '@devsecops-factory/test-kit';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  acknowledgeArtifactBucketGrants, acknowledgeCodeBuildProjectGrants, acknowledgeCodeBuildVpcGrants, acknowledgePipelineArtifactGrants,
  acknowledgePipelineRoleGrants,
} from '../../src';

/** `rule path` of every finding of the two packs the factory runs, under `scope`. */
const findings = (scope: IConstruct): string[] => nagViolations(scope).map((violation) => `${violation.rule} ${violation.path}`);

const ENV = { account: '333333333333', region: 'ap-southeast-2' };

/** Every rule acknowledged on `scope` itself. */
function acknowledgedOn(scope: IConstruct): string[] {
  return scope.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>).map((id) => id.replace(/^annotation::/i, '')));
}

/** A project with a KMS key whose action runs in a pipeline (S3 source), as the factory's stages are. */
function pipelineProject(stack: Stack, options: { output?: boolean; vpc?: boolean } = {}) {
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const project = new codebuild.PipelineProject(stack, 'Build', {
    encryptionKey: key,
    vpc: options.vpc
      ? new ec2.Vpc(stack, 'Vpc', {
        maxAzs: 1,
        natGateways: 0,
        subnetConfiguration: [{ name: 'Build', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      })
      : undefined,
  });
  const source = new codepipeline.Artifact('Source');
  const action = new actions.CodeBuildAction({
    actionName: 'Build',
    project,
    input: source,
    outputs: options.output ? [new codepipeline.Artifact('Out')] : undefined,
  });
  return { project, action, source };
}

function addPipeline(stack: Stack, source: codepipeline.Artifact, action: codepipeline.IAction, artifactBucket?: s3.IBucket) {
  const sourceBucket = new s3.Bucket(stack, 'SourceBucket', { versioned: true });
  new codepipeline.Pipeline(stack, 'Pipeline', {
    artifactBucket,
    stages: [
      {
        stageName: 'Source',
        actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: sourceBucket, bucketKey: 'source.zip', output: source })],
      },
      { stageName: 'Build', actions: [action] },
    ],
  });
}

/** The findings on the project role's default policy, where aws-cdk-lib and CodePipeline put their grants. */
const roleFindings = (stack: Stack, rule: RegExp) => findings(stack).filter((finding) => rule.test(finding) && finding.includes('/Build/Role/'));

describe('acknowledgeCodeBuildProjectGrants', () => {
  test('name the project\'s default log group and report groups by its logical id and the stack environment', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const { project } = pipelineProject(stack);
    acknowledgeCodeBuildProjectGrants(project);
    expect(acknowledgedOn(project.role!)).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:ap-southeast-2:333333333333:log-group:/aws/codebuild/<Build45A36621>:*]',
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:ap-southeast-2:333333333333:report-group/<Build45A36621>-*]',
    ]));
  });

  test('name the partition literally when the stack renders it literally (cdk init\'s enablePartitionLiterals flag)', () => {
    const stack = new Stack(new App({ context: { '@aws-cdk/core:enablePartitionLiterals': true } }), 'Test', { env: ENV });
    const { project } = pipelineProject(stack);
    acknowledgeCodeBuildProjectGrants(project);
    expect(acknowledgedOn(project.role!)).toContain(
      'AwsSolutions-IAM5[Resource::arn:aws:logs:ap-southeast-2:333333333333:log-group:/aws/codebuild/<Build45A36621>:*]');
  });

  test('use pseudo parameters in an environment-agnostic stack', () => {
    const stack = new Stack();
    const { project } = pipelineProject(stack);
    acknowledgeCodeBuildProjectGrants(project);
    expect(acknowledgedOn(project.role!)).toContain(
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<Build45A36621>:*]');
  });

  test('silence exactly the findings of aws-cdk-lib\'s own grants, in a stack with and without an environment', () => {
    for (const stack of [new Stack(new App(), 'Test', { env: ENV }), new Stack(new App(), 'Agnostic')]) {
      pipelineProject(stack);
      expect(roleFindings(stack, /^(AwsSolutions-IAM5|NIST.800.53.R5-IAMNoInlinePolicy)/)).toHaveLength(5);
    }
    for (const stack of [new Stack(new App(), 'Test', { env: ENV }), new Stack(new App(), 'Agnostic')]) {
      acknowledgeCodeBuildProjectGrants(pipelineProject(stack).project);
      expect(roleFindings(stack, /^(AwsSolutions-IAM5|NIST.800.53.R5-IAMNoInlinePolicy)/)).toEqual([]);
    }
  });
});

describe('acknowledgePipelineArtifactGrants', () => {
  function artifactFindings(options: { output?: boolean; acknowledge: boolean; artifactBucket?: (stack: Stack) => s3.IBucket }): string[] {
    const app = new App();
    const stack = new Stack(app, 'Test', { env: ENV });
    const { project, action, source } = pipelineProject(stack, { output: options.output });
    acknowledgeCodeBuildProjectGrants(project);
    if (options.acknowledge) acknowledgePipelineArtifactGrants(project, action);
    addPipeline(stack, source, action, options.artifactBucket?.(stack));
    return roleFindings(stack, /^AwsSolutions-IAM5/).map((finding) => finding.replace(/ .*/, ''));
  }

  test('silence the read grant on the pipeline\'s artifact bucket and its objects', () => {
    expect(artifactFindings({ acknowledge: false })).toEqual(
      expect.arrayContaining([
        'AwsSolutions-IAM5[Action::s3:GetObject*]',
        'AwsSolutions-IAM5[Action::s3:List*]',
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<PipelineArtifactsBucket\w+\.Arn>\/\*\]$/),
      ]),
    );
    expect(artifactFindings({ acknowledge: true })).toEqual([]);
  });

  test('silence the write prefixes too when the action has an output artifact', () => {
    expect(artifactFindings({ output: true, acknowledge: false })).toEqual(expect.arrayContaining(['AwsSolutions-IAM5[Action::s3:Abort*]']));
    expect(artifactFindings({ output: true, acknowledge: true })).toEqual([]);
  });

  test('acknowledge the objects of an imported artifact bucket, which it names literally', () => {
    const imported = (stack: Stack) => s3.Bucket.fromBucketName(stack, 'Artifacts', 'consumer-artifacts');
    expect(artifactFindings({ acknowledge: true, artifactBucket: imported })).toEqual([]);
  });

  test('leave the objects of an artifact bucket of another stack reported', () => {
    const app = new App();
    const bucket = new s3.Bucket(new Stack(app, 'Buckets', { env: ENV }), 'Artifacts');
    const stack = new Stack(app, 'Deploy', { env: ENV });
    const { project } = pipelineProject(stack);
    acknowledgeArtifactBucketGrants(project.role!, bucket, { writes: false });
    expect(acknowledgedOn(project.role!).filter((id) => id.includes('Resource::'))).toEqual([]);
    expect(acknowledgedOn(project.role!)).toContain('AwsSolutions-IAM5[Action::s3:GetObject*]');
  });
});

describe('acknowledgeCodeBuildVpcGrants', () => {
  test('silence the network-interface grants of a project in a VPC, and nothing else', () => {
    const unacknowledged = new Stack(new App(), 'Test', { env: ENV });
    acknowledgeCodeBuildProjectGrants(pipelineProject(unacknowledged, { vpc: true }).project);
    expect(findings(unacknowledged).filter((finding) => /^AwsSolutions-IAM5|IAMNoInlinePolicy/.test(finding) && finding.includes('/Build/'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/network-interface/),
        expect.stringMatching(/^AwsSolutions-IAM5\[Resource::\*\] Test\/Build\/PolicyDocument/),
      ]),
    );
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const { project } = pipelineProject(stack, { vpc: true });
    acknowledgeCodeBuildProjectGrants(project);
    acknowledgeCodeBuildVpcGrants(project);
    expect(findings(stack).filter((finding) => /^AwsSolutions-IAM5|IAMNoInlinePolicy/.test(finding) && finding.includes('/Build/'))).toEqual([]);
  });
});

describe('acknowledgePipelineRoleGrants', () => {
  test('silence what CodePipeline grants the pipeline\'s own roles on the artifact bucket and its key', () => {
    const pipelineRoleFindings = (acknowledge: boolean) => {
      const stack = new Stack(new App(), 'Test', { env: ENV });
      const { project, action, source } = pipelineProject(stack);
      acknowledgeCodeBuildProjectGrants(project);
      acknowledgePipelineArtifactGrants(project, action);
      const bucket = new s3.Bucket(stack, 'Artifacts', { encryptionKey: new kms.Key(stack, 'ArtifactKey', { enableKeyRotation: true }) });
      addPipeline(stack, source, action, bucket);
      const pipeline = stack.node.findChild('Pipeline') as codepipeline.Pipeline;
      if (acknowledge) acknowledgePipelineRoleGrants(pipeline, bucket);
      return findings(stack).filter(
        (finding) => /^(AwsSolutions-IAM5|NIST.800.53.R5-IAMNoInlinePolicy)/.test(finding) && finding.includes(' Test/Pipeline/'),
      );
    };
    expect(pipelineRoleFindings(false)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^AwsSolutions-IAM5\[Resource::<Artifacts\w+\.Arn>\/\*\] Test\/Pipeline\/Role/),
      expect.stringMatching(/^AwsSolutions-IAM5\[Action::kms:GenerateDataKey\*\] Test\/Pipeline\//),
    ]));
    expect(pipelineRoleFindings(true)).toEqual([]);
  });
});
