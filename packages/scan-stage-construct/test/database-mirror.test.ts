import * as fs from 'fs';
import * as path from 'path';
import { nagViolations } from '@devsecops-factory/test-kit';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as YAML from 'yaml';
import { CodeScanStage, DatabaseMirror, ImageScanner, ImageScanStage, MirroredDatabase, ToolboxImage } from '../src';
import { BUILDSPEC_DIR, readBuildspec } from './support/buildspec-files';
import { pipelineAround } from './support/factory';
import { flattenJoin } from './support/stage-template';

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4);
const script = (name: string) => fs.readFileSync(path.join(BUILDSPEC_DIR, name), 'utf8');

interface Factory {
  readonly stack: Stack;
  readonly mirror: DatabaseMirror;
  readonly image: ImageScanStage;
  readonly code: CodeScanStage;
  readonly toolboxRepository: ecr.Repository;
}

/** A factory whose image stage builds in the toolbox image and reads the mirror; the code stage only uses the toolbox. */
function buildFactory(): Factory {
  const stack = new Stack(new App(), 'Factory', { env: { account: '111111111111', region: 'eu-west-1' } });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const bucket = new s3.Bucket(stack, 'Reports', {
    encryptionKey: key, enforceSSL: true, versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, serverAccessLogsPrefix: 'access-logs/',
  });
  const toolboxRepository = new ecr.Repository(stack, 'Toolbox', { imageTagMutability: ecr.TagMutability.IMMUTABLE, imageScanOnPush: true });
  const toolbox = ToolboxImage.fromEcr(toolboxRepository, DIGEST);
  const mirror = new DatabaseMirror(stack, 'Mirror', { bucket, encryptionKey: key, toolbox });
  const input = new codepipeline.Artifact('Source');
  const common = { input, reportsBucket: bucket, encryptionKey: key, sourceRepository: 'org/app', toolbox };
  const image = new ImageScanStage(stack, 'Image', { ...common, databaseMirror: mirror });
  const code = new CodeScanStage(stack, 'Code', common);
  pipelineAround(stack, input, [code.action, image.action]);
  return { stack, mirror, image, code, toolboxRepository };
}

let factory: Factory;
let template: any;
beforeAll(() => {
  factory = buildFactory();
  template = Template.fromStack(factory.stack).toJSON();
});

const resourcesOf = (type: string) => Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type);
const logicalId = (construct: { node: { defaultChild?: unknown } }) => factory.stack.getLogicalId(construct.node.defaultChild as any);
const project = (id: string) => template.Resources[id];
const buildspecOf = (id: string) => YAML.parse(flattenJoin(project(id).Properties.Source.BuildSpec));
const environmentOf = (id: string): Record<string, unknown> =>
  Object.fromEntries(project(id).Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));

/** The statements of the policies attached to one role. */
function roleStatements(roleRef: unknown): any[] {
  return resourcesOf('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([roleRef]))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement);
}
const statementsOfProject = (id: string) =>
  roleStatements(project(id).Properties.ServiceRole['Fn::GetAtt'] ? { Ref: project(id).Properties.ServiceRole['Fn::GetAtt'][0] } : undefined);
const on = (statements: any[], action: string) => statements.filter((s) => [s.Action].flat().includes(action));

describe('DatabaseMirror', () => {
  test('runs on a schedule, in the toolbox image, with the Grype and Trivy pins of the image stage\'s buildspec', () => {
    const id = logicalId(factory.mirror.project);
    const [, rule] = resourcesOf('AWS::Events::Rule')[0];
    expect(rule.Properties.ScheduleExpression).toBe('rate(6 hours)');
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
    const pins = readBuildspec('image-scan.yml').env.variables;
    expect(environmentOf(id)).toEqual(expect.objectContaining({
      DB_MIRROR_DATABASES: 'grype trivy trivy-java clamav',
      DB_MIRROR_METRIC_NAMESPACE: 'DevSecOpsFactory/DatabaseMirror',
      GRYPE_VERSION: pins.GRYPE_VERSION,
      GRYPE_SHA256: pins.GRYPE_SHA256,
      TRIVY_VERSION: pins.TRIVY_VERSION,
      TRIVY_SHA256: pins.TRIVY_SHA256,
      TOOLBOX: 'true',
    }));
    expect(flattenJoin(environmentOf(id).DB_MIRROR_URI)).toBe(`s3://<Ref:${factory.stack.getLogicalId((factory.mirror.bucket as s3.Bucket).node.defaultChild as any)}>/mirror/`);
    const spec = buildspecOf(id);
    expect(spec.phases.install.commands[0]).toBe(script('toolbox.sh'));
    expect(spec.phases.build).toEqual(readBuildspec('mirror-databases.yml').phases.build);
  });

  test('the job reads, writes and deletes under the mirror prefix only', () => {
    const statements = statementsOfProject(logicalId(factory.mirror.project));
    const s3Statements = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3Statements).toHaveLength(1);
    expect(s3Statements[0].Action).toEqual(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);
    expect(flattenJoin(s3Statements[0].Resource)).toMatch(/^<GetAtt:Reports[0-9A-F]+\.Arn>\/mirror\/\*$/);
    expect(on(statements, 'cloudwatch:PutMetricData')).toEqual([expect.objectContaining({
      Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'DevSecOpsFactory/DatabaseMirror' } },
    })]);
  });

  test('one alarm per database: older than its limit, or not reported for two refresh intervals', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties)
      .map((p) => [p.Dimensions[0].Value, p.Threshold, p.Period, p.Statistic, p.TreatMissingData, p.ComparisonOperator]);
    expect(alarms).toEqual([
      ['grype', 48, 43200, 'Maximum', 'breaching', 'GreaterThanThreshold'],
      ['trivy', 48, 43200, 'Maximum', 'breaching', 'GreaterThanThreshold'],
      ['trivy-java', 168, 43200, 'Maximum', 'breaching', 'GreaterThanThreshold'],
      ['clamav', 48, 43200, 'Maximum', 'breaching', 'GreaterThanThreshold'],
    ]);
  });

  test('refuses a prefix the findings processor or the stages own, and a refresh interval that is not whole hours', () => {
    const stack = new Stack();
    const bucket = new s3.Bucket(stack, 'B');
    const encryptionKey = new kms.Key(stack, 'K');
    expect(() => new DatabaseMirror(stack, 'M1', { bucket, encryptionKey, prefix: 'raw/mirror/' })).toThrow(
      /inside a prefix the findings processor or the stages own/,
    );
    expect(() => new DatabaseMirror(stack, 'M2', { bucket, encryptionKey, prefix: '../x/' })).toThrow(/prefix must be path segments/);
    expect(() => new DatabaseMirror(stack, 'M3', { bucket, encryptionKey, refreshInterval: Duration.minutes(90) })).toThrow(
      /whole hours between 1 and 24/,
    );
  });
});

describe('a stage with the toolbox image and the database mirror', () => {
  test('builds in the toolbox image, pulled by digest with its own role', () => {
    const id = logicalId(factory.image.project);
    const environment = project(id).Properties.Environment;
    expect(environment.ImagePullCredentialsType).toBe('SERVICE_ROLE');
    expect(flattenJoin(environment.Image)).toContain(`@${DIGEST}`);
    expect(environmentOf(id)).toEqual(expect.objectContaining({ TOOLBOX: 'true', TOOLBOX_DOCKERD: 'true' }));
    const pulls = on(statementsOfProject(id), 'ecr:BatchGetImage');
    expect(pulls.map((s) => s.Resource)).toContainEqual({
      'Fn::GetAtt': [factory.stack.getLogicalId(factory.toolboxRepository.node.defaultChild as any), 'Arn'],
    });
  });

  test('checks the image\'s tools, then restores the databases, before anything else of its install phase', () => {
    const commands = buildspecOf(logicalId(factory.image.project)).phases.install.commands;
    expect(commands.slice(0, 3)).toEqual([script('toolbox.sh'), script('mirror-db.sh'), script('install-asff-cli.sh')]);
    const code = buildspecOf(logicalId(factory.code.project)).phases.install.commands;
    expect(code.slice(0, 2)).toEqual([script('toolbox.sh'), script('install-asff-cli.sh')]);
    expect(environmentOf(logicalId(factory.code.project)).TOOLBOX_DOCKERD).toBeUndefined();
  });

  test('reads only its scanner\'s and ClamAV\'s databases from the mirror, with their limits', () => {
    const id = logicalId(factory.image.project);
    expect(environmentOf(id).DB_MIRROR_DATABASES).toBe('grype:48 clamav:48');
    const statements = statementsOfProject(id);
    const mirrorReads = on(statements, 's3:GetObject').flatMap((s) => [s.Resource].flat().map(flattenJoin)).filter((r) => r.includes('/mirror/'));
    expect(mirrorReads.sort()).toEqual([expect.stringMatching(/\/mirror\/clamav\/\*$/), expect.stringMatching(/\/mirror\/grype\/\*$/)]);
    expect(on(statements, 's3:PutObject').flatMap((s) => [s.Resource].flat().map(flattenJoin)).filter((r) => r.includes('/mirror/'))).toEqual([]);
    expect(on(statements, 'cloudwatch:PutMetricData')).toEqual([
      expect.objectContaining({ Condition: { StringEquals: { 'cloudwatch:namespace': 'DevSecOpsFactory/DatabaseMirror' } } }),
    ]);
    // The code stage has no mirror: no mirror variables, no mirror access.
    const code = logicalId(factory.code.project);
    expect(environmentOf(code).DB_MIRROR_URI).toBeUndefined();
    expect(JSON.stringify(statementsOfProject(code))).not.toContain('/mirror/');
  });

  test('a Trivy stage reads Trivy\'s database and its Java index; a mirror without them is refused', () => {
    const stack = new Stack();
    const bucket = new s3.Bucket(stack, 'B');
    const encryptionKey = new kms.Key(stack, 'K');
    const mirror = new DatabaseMirror(stack, 'Mirror', { bucket, encryptionKey, databases: [MirroredDatabase.GRYPE, MirroredDatabase.CLAMAV] });
    const input = new codepipeline.Artifact('Source');
    expect(() => new ImageScanStage(stack, 'Trivy', {
      input, reportsBucket: bucket, encryptionKey, scanner: ImageScanner.trivy(), databaseMirror: mirror,
    })).toThrow(/does not keep trivy, trivy-java: add it to its databases/);
    expect(mirror.stageEnvironment([MirroredDatabase.GRYPE]).DB_MIRROR_DATABASES).toEqual({ value: 'grype:48' });
  });

  test('a toolbox image is pinned by digest', () => {
    const stack = new Stack();
    const repository = ecr.Repository.fromRepositoryName(stack, 'R', 'toolbox');
    expect(() => ToolboxImage.fromEcr(repository, 'latest')).toThrow(/digest must be sha256:<64 hex characters>/);
    expect(() => ToolboxImage.fromEcr(repository, 'sha256:abc')).toThrow(/digest must be sha256/);
  });

  test('the factory with the toolbox and the mirror has no cdk-nag violation (AwsSolutions, NIST 800-53 rev5)', () => {
    // The test's own pipeline, bucket and repository are not the subject here.
    const ours = ['Factory/Mirror/', 'Factory/Image/', 'Factory/Code/'];
    expect(nagViolations(factory.stack).filter((v) => ours.some((prefix) => v.path.startsWith(prefix)))).toEqual([]);
  });
});
