// A consumer's CDK app, as a platform team would write it after `npm install`ing the factory's construct
// libraries from their tarballs: plain JavaScript against the published API, nothing from the workspace.
// Every main construct is used twice in each stack (no name collisions), in a stack with no environment and in
// stacks with explicit environments (ARNs then carry literal partitions, e.g. aws-us-gov), and cdk-nag's
// AwsSolutions pack fails the synth on any violation that is not acknowledged.
'use strict';
const cdk = require('aws-cdk-lib');
const codepipeline = require('aws-cdk-lib/aws-codepipeline');
const actions = require('aws-cdk-lib/aws-codepipeline-actions');
const ecr = require('aws-cdk-lib/aws-ecr');
const eks = require('aws-cdk-lib/aws-eks');
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const s3 = require('aws-cdk-lib/aws-s3');
const secretsmanager = require('aws-cdk-lib/aws-secretsmanager');
const sns = require('aws-cdk-lib/aws-sns');
const { AwsSolutionsChecks } = require('cdk-nag');
const scan = require('@devsecops-factory/scan-stage-construct');
const deploy = require('@devsecops-factory/eks-deploy-construct');
const governance = require('@devsecops-factory/governance-construct');

/**
 * The consumer's own pipeline and artifact store, compliant as a careful user would write them; the
 * acknowledgements here are the consumer's, for the consumer's resources only.
 */
function consumerPipeline(scope, id, key) {
  const logs = new s3.Bucket(scope, `${id}AccessLogs`, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
  });
  cdk.Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'Consumer test app: this bucket receives the access logs of the artifact bucket.' });
  const artifacts = new s3.Bucket(scope, `${id}Artifacts`, {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    enforceSSL: true,
    versioned: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    serverAccessLogsBucket: logs,
  });
  const source = new codepipeline.Artifact(`${id}Source`);
  const pipeline = new codepipeline.Pipeline(scope, id, {
    pipelineType: codepipeline.PipelineType.V2,
    artifactBucket: artifacts,
    stages: [{
      stageName: 'Source',
      actions: [new actions.CodeStarConnectionsSourceAction({
        actionName: 'Source',
        connectionArn: cdk.Stack.of(scope).formatArn({ service: 'codeconnections', resource: 'connection', resourceName: '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' }),
        owner: 'example-org',
        repo: 'shop',
        branch: 'main',
        output: source,
        codeBuildCloneOutput: true,
        variablesNamespace: `${id}SourceVariables`,
      })],
    }],
  });
  return { pipeline, source };
}

/**
 * CodePipeline's grants to the consumer's own pipeline role and source action role on the consumer's artifact
 * bucket and key: the consumer's to accept, not the libraries' (their stages acknowledge their own roles).
 */
function acknowledgeOwnPipelineGrants(pipeline) {
  const sourceRole = pipeline.node.findAll().find((c) => c.node.path.endsWith('/Source/Source/CodePipelineActionRole'));
  const [bucketId] = cdk.Stack.of(pipeline).resolve(pipeline.artifactBucket.bucketArn)['Fn::GetAtt'];
  const findings = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']
    .map((action) => `AwsSolutions-IAM5[Action::${action}]`).concat(`AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`);
  for (const role of [pipeline.role, sourceRole]) {
    cdk.Validations.of(role).acknowledge(...findings.map((id) => ({ id, reason: 'Consumer test app: aws-cdk-lib\'s grants on this pipeline\'s own artifact bucket and key.' })));
  }
}

/** Every main construct of the three libraries, wired into one pipeline as their READMEs describe. */
function factory(stack, id, shared) {
  const key = new kms.Key(stack, `${id}Key`, { enableKeyRotation: true });
  const { pipeline, source } = consumerPipeline(stack, `${id}Pipeline`, key);
  const findings = new scan.FindingsProcessor(stack, `${id}Findings`, { alarmTopic: shared.alarms });
  const common = { input: source, reportsBucket: findings.reportsBucket, encryptionKey: findings.encryptionKey, sourceRepository: 'shop' };
  const secrets = new scan.SecretsScanStage(stack, `${id}Secrets`, common);
  const code = new scan.CodeScanStage(stack, `${id}Code`, common);
  const image = new scan.ImageScanStage(stack, `${id}Image`, { ...common, scanner: scan.ImageScanner.trivy() });
  const repository = new ecr.Repository(stack, `${id}Images`, {
    imageScanOnPush: true,
    imageTagMutability: ecr.TagMutability.IMMUTABLE,
    encryption: ecr.RepositoryEncryption.KMS,
    encryptionKey: key,
  });
  const publish = new scan.EcrScanStage(stack, `${id}Publish`, {
    ...common, imageArtifact: image.imageArtifact, ecrRepository: repository, variablesNamespace: `${id}Publish`,
  });
  const digest = deploy.DeployImage.fromDigest(repository.repositoryUri, `#{${id}Publish.IMAGE_DIGEST}`);
  const manifests = deploy.DeployManifests.fromWorkload({ name: 'shop', containerPort: 8080 });
  const staging = new deploy.EksDeployStage(stack, `${id}Staging`, {
    environment: 'staging', input: source, image: digest, manifests, clusterName: 'apps-staging', namespace: `shop-${id.toLowerCase()}`, encryptionKey: key,
  });
  const zapApiKey = new secretsmanager.Secret(stack, `${id}ZapKey`, { encryptionKey: key, generateSecretString: { passwordLength: 40, excludePunctuation: true } });
  cdk.Validations.of(zapApiKey).acknowledge({ id: 'AwsSolutions-SMG4', reason: 'Consumer test app: the ZAP API key only lives inside one DAST build; nothing to rotate.' });
  const dast = new scan.DastScanStage(stack, `${id}Dast`, { ...common, targetUrl: 'https://staging.shop.example.com', zapApiKey });
  const approval = new deploy.ApprovalGate(stack, `${id}Approval`, {
    environment: 'production', image: digest, commitId: `#{${id}PipelineSourceVariables.CommitId}`, notifyEmails: ['approvers@example.com'], encryptionKey: key,
  });
  const production = new deploy.EksDeployStage(stack, `${id}Production`, {
    environment: 'production', input: source, image: digest, manifests, clusterName: 'apps-production', namespace: `shop-${id.toLowerCase()}`, encryptionKey: key,
  });
  pipeline.addStage({ stageName: 'Secrets', actions: [secrets.action] });
  pipeline.addStage({ stageName: 'Scan', actions: [code.action, image.action] });
  pipeline.addStage({ stageName: 'Publish', actions: [publish.action] });
  pipeline.addStage({ stageName: 'Staging', actions: [staging.action] });
  pipeline.addStage({ stageName: 'Dast', actions: [dast.action] });
  pipeline.addStage({ stageName: 'Approval', actions: [approval.action] });
  pipeline.addStage({ stageName: 'Production', actions: [production.action] });
  acknowledgeOwnPipelineGrants(pipeline);

  // In the cluster's account: the role production assumes, and Falco on the cluster.
  new deploy.CrossAccountDeployRole(stack, `${id}DeployRole`, { trustedRole: production.role, clusterName: 'apps-production', namespace: `shop-${id.toLowerCase()}` });
  const cluster = eks.Cluster.fromClusterAttributes(stack, `${id}Cluster`, { clusterName: 'apps-production' });
  new deploy.FalcoAddon(stack, `${id}Falco`, { cluster });

  new governance.PipelineGovernance(stack, `${id}Governance`, {
    pipelines: [pipeline],
    factoryRoles: [pipeline.role, secrets.role, code.role, image.role, publish.role, dast.role, staging.role, production.role],
    securityAlertEmails: ['security@example.com'],
  });
}

function consumerStack(app, id, env) {
  const stack = new cdk.Stack(app, id, env ? { env } : {});
  const alarmsKey = new kms.Key(stack, 'AlarmsKey', { enableKeyRotation: true });
  const alarms = new sns.Topic(stack, 'Alarms', { enforceSSL: true, masterKey: alarmsKey });
  // Each main construct twice in the same stack.
  factory(stack, 'Blue', { alarms });
  factory(stack, 'Green', { alarms });
  return stack;
}

const app = new cdk.App();
cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
consumerStack(app, 'EnvAgnostic');
consumerStack(app, 'Commercial', { account: '111111111111', region: 'eu-west-1' });
consumerStack(app, 'GovCloud', { account: '222222222222', region: 'us-gov-west-1' });
app.synth();
