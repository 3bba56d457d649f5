import * as fs from 'fs';
import * as path from 'path';
import { nagViolations } from '@devsecops-factory/test-kit';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as YAML from 'yaml';
import { ToolboxImagePipeline } from '../src';
import { BUILDSPEC_DIR } from './support/buildspec-files';
import { flattenJoin } from './support/stage-template';

function buildFactory() {
  const stack = new Stack(new App(), 'Factory', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const bucket = (id: string) => new s3.Bucket(stack, id, {
    encryptionKey: key, enforceSSL: true, versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, serverAccessLogsPrefix: 'access-logs/',
  });
  const sourceOutput = new codepipeline.Artifact('FactorySource');
  const sourceAction = new actions.S3SourceAction({
    actionName: 'Source',
    bucket: bucket('SourceBucket'),
    bucketKey: 'factory.zip',
    output: sourceOutput,
  });
  const toolbox = new ToolboxImagePipeline(stack, 'Toolbox', {
    sourceAction, sourceOutput, artifactBucket: bucket('Artifacts'), reportsBucket: bucket('Reports'), encryptionKey: key, signing: {},
  });
  return { stack, toolbox };
}

let factory: ReturnType<typeof buildFactory>;
let template: any;
beforeAll(() => {
  factory = buildFactory();
  template = Template.fromStack(factory.stack).toJSON();
});

const logicalId = (construct: { node: { defaultChild?: unknown } }) => factory.stack.getLogicalId(construct.node.defaultChild as any);
const resource = (construct: { node: { defaultChild?: unknown } }) => template.Resources[logicalId(construct)];
const environmentOf = (project: any): Record<string, unknown> =>
  Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));

describe('ToolboxImagePipeline', () => {
  test('source, build context, image build and gate, then push by digest, ECR gate and signing', () => {
    const pipeline = resource(factory.toolbox.pipeline);
    expect(pipeline.Properties.Stages.map((s: any) => [s.Name, s.Actions.map((a: any) => a.Name)])).toEqual([
      ['Source', ['Source']], ['Context', ['Context']], ['Image', ['BuildAndScan']], ['Publish', ['PushAndScan']],
    ]);
    const [, context, image, publish] = pipeline.Properties.Stages.map((s: any) => s.Actions[0]);
    expect(context.OutputArtifacts).toEqual([{ Name: 'ToolboxContext' }]);
    expect(image.InputArtifacts).toEqual([{ Name: 'ToolboxContext' }]);
    expect(publish.InputArtifacts).toEqual([{ Name: 'ToolboxContext' }, { Name: 'ToolboxImage' }]);
    expect(publish.Namespace).toBe('ToolboxPublish');
    const publishEnvironment = environmentOf(resource(factory.toolbox.publishStage.project));
    expect(flattenJoin(publishEnvironment.ECR_REPOSITORY_URI)).toContain(logicalId(factory.toolbox.repository as any));
    expect(flattenJoin(publishEnvironment.SIGNING_PROFILE_ARN)).toMatch(/SigningProfile/);
    expect(environmentOf(resource(factory.toolbox.imageStage.project))).toEqual(expect.objectContaining({
      DOCKERFILE_PATH: 'Dockerfile', DOCKER_BUILD_CONTEXT: '.', SCOPE_REPOSITORY: 'devsecops-factory/toolbox', MALWARE_SCAN: 'true',
    }));
  });

  test('the build context is toolbox/ plus the asff bundle, installed as toolbox/asff by the shared sha256-checking script', () => {
    const project = resource(factory.toolbox.contextProject);
    const spec = YAML.parse(flattenJoin(project.Properties.Source.BuildSpec));
    expect(spec.phases.build.commands).toEqual([fs.readFileSync(path.join(BUILDSPEC_DIR, 'install-asff-cli.sh'), 'utf8')]);
    expect(spec.artifacts).toEqual({ 'base-directory': 'toolbox', 'files': ['**/*'] });
    expect(environmentOf(project)).toEqual(expect.objectContaining({ ASFF_BIN_DIR: 'toolbox', ASFF_CLI_SOURCE: 'asset' }));
    expect(fs.readFileSync(path.join(BUILDSPEC_DIR, '..', 'toolbox', 'Dockerfile'), 'utf8')).toMatch(/^COPY asff \/usr\/local\/bin\/asff$/m);
  });

  test('the repository keeps tags immutable and is encrypted with the factory\'s key', () => {
    const repository = resource(factory.toolbox.repository as any);
    expect(repository.Properties.ImageTagMutability).toBe('IMMUTABLE');
    expect(repository.Properties.EncryptionConfiguration.EncryptionType).toBe('KMS');
  });

  test('has no cdk-nag violation (AwsSolutions, NIST 800-53 rev5)', () => {
    expect(nagViolations(factory.stack).filter((v) => v.path.startsWith('Factory/Toolbox/'))).toEqual([]);
  });
});
