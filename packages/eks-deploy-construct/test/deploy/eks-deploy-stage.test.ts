import * as zlib from 'zlib';
import { acknowledgementsIn, nagViolations, removeAcknowledgements } from '@devsecops-factory/test-kit';
import { Duration, Stack, aws_ec2 as ec2, aws_ecr as ecr, aws_eks as eks } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as YAML from 'yaml';
import { DeployImage, DeployManifests, EksDeployStage, EksDeployStageProps, KubectlRelease } from '../../src';
import { admissionCheckSource } from '../../src/private/deploy-buildspec';
import {
  DIGEST, REPOSITORY, actionConfiguration, identityStatements, pipelineAround, sharedKey, sourceArtifact, testStack, wildcardActions,
} from '../support/stacks';

type StageOverrides = Partial<EksDeployStageProps>;

function deployStage(stack: Stack, overrides: StageOverrides = {}, id = 'Staging'): EksDeployStage {
  return new EksDeployStage(stack, id, {
    environment: 'staging',
    input: sourceArtifact(),
    image: DeployImage.fromDigest(REPOSITORY, DIGEST),
    manifests: DeployManifests.fromSourceDirectory('k8s', 'sample-app'),
    clusterName: 'apps',
    namespace: 'web',
    encryptionKey: sharedKey(stack),
    ...overrides,
  });
}

function environment(template: Template): Record<string, string> {
  const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any;
  return Object.fromEntries(project.Properties.Environment.EnvironmentVariables.map((variable: any) => [variable.Name, variable.Value]));
}

describe('EksDeployStage', () => {
  describe('in the same account', () => {
    const stack = testStack();
    deployStage(stack);
    const template = Template.fromStack(stack);

    test('grants the project role eks:DescribeCluster on the target cluster only', () => {
      const statements = identityStatements(template.toJSON()).filter((statement) =>
        [statement.Action].flat().some((action: string) => action.startsWith('eks:')),
      );
      expect(statements).toHaveLength(1);
      expect(statements[0].Action).toBe('eks:DescribeCluster');
      expect(stack.resolve(statements[0].Resource)).toEqual({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-west-1:111111111111:cluster/apps']],
      });
    });

    test('lets CodeBuild assume the project role only for a project of this account and Region (confused deputy)', () => {
      const role = Object.values<any>(template.findResources('AWS::IAM::Role'))
        .find((r) => JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('codebuild.amazonaws.com'));
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'codebuild.amazonaws.com' },
        Condition: {
          StringEquals: { 'aws:SourceAccount': '111111111111' },
          ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codebuild:eu-west-1:111111111111:project/*']] } },
        },
      }]);
    });

    test('verifies no signature without imageVerification', () => {
      expect(environment(template).SIGNING_PROFILE_ARN).toBe('');
    });

    test('uses no wildcard or service-wide action and may not assume other roles', () => {
      const statements = identityStatements(template.toJSON());
      expect(wildcardActions(statements)).toEqual([]);
      expect(statements.flatMap((statement) => [statement.Action].flat())).not.toContain('sts:AssumeRole');
    });

    test('gives the project role an access entry that edits the one namespace, nothing cluster-wide', () => {
      template.resourceCountIs('AWS::EKS::AccessEntry', 1);
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: 'apps',
        Type: 'STANDARD',
        PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StagingRole'), 'Arn'] },
        AccessPolicies: [{
          PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSEditPolicy']] },
          AccessScope: { Type: 'namespace', Namespaces: ['web'] },
        }],
      });
      const entry = Object.values(template.findResources('AWS::EKS::AccessEntry'))[0] as any;
      expect(entry.Properties.KubernetesGroups).toBeUndefined();
    });

    test('encrypts artifacts and build logs with the pipeline key', () => {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineKey'), 'Arn'] },
        LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('^StagingLogs') } } },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineKey'), 'Arn'] },
        RetentionInDays: 365,
      });
    });

    test('lets CloudWatch Logs of this account and region use the key, for log groups only', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([Match.objectLike({
            Sid: 'AllowCloudWatchLogsOfThisAccount',
            Principal: { Service: { 'Fn::Join': ['', ['logs.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          })]),
        },
      });
    });

    test('bounds the build and queue time, runs unprivileged on a pinned image', () => {
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        TimeoutInMinutes: 30,
        QueuedTimeoutInMinutes: 60,
        Environment: { Image: 'aws/codebuild/standard:7.0', PrivilegedMode: false, Type: 'LINUX_CONTAINER' },
      });
      expect(environment(template).ROLLOUT_TIMEOUT).toBe('300s');
    });

    test('downloads a pinned kubectl and verifies its checksum before use', () => {
      const variables = environment(template);
      expect(variables.KUBECTL_VERSION).toBe(KubectlRelease.V1_36_4.version);
      expect(variables.KUBECTL_SHA256).toMatch(/^[a-f0-9]{64}$/);
      const buildspec = (Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any).Properties.Source.BuildSpec;
      expect(buildspec).toContain('https://dl.k8s.io/release/${KUBECTL_VERSION}/bin/linux/amd64/kubectl');
      expect(buildspec).toContain('echo "${KUBECTL_SHA256}  /tmp/kubectl" | sha256sum -c -');
    });

    test('waits for the rollout and rolls back when it fails', () => {
      const buildspec = YAML.parse((Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any).Properties.Source.BuildSpec);
      const build = buildspec.phases.build.commands.join('\n');
      expect(build).toMatch(/kubectl rollout status .*--timeout "\$\{ROLLOUT_TIMEOUT\}"/);
      expect(build).toMatch(/kubectl rollout undo/);
      expect(buildspec.env.shell).toBe('bash');
      expect(buildspec.env['exported-variables']).toEqual(['DEPLOYED_IMAGE']);
    });

    test('passes the manifest folder and the image name to replace', () => {
      const variables = environment(template);
      expect(variables).toMatchObject({
        MANIFEST_DIR: 'k8s',
        MANIFEST_IMAGE_NAME: 'sample-app',
        GENERATED_MANIFEST_GZ_B64: '',
        NAMESPACE: 'web',
        CLUSTER_NAME: 'apps',
        CLUSTER_REGION: 'eu-west-1',
        DEPLOY_ROLE_ARN: '',
      });
    });

    test('writes the admission checker into the buildspec, outside the source artifact, and runs it on node 22 before apply', () => {
      const buildspec = YAML.parse((Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any).Properties.Source.BuildSpec);
      expect(buildspec.phases.install['runtime-versions']).toEqual({ nodejs: 22 });
      const [writeChecker, prepare] = buildspec.phases.pre_build.commands;
      expect(writeChecker).toContain('ADMISSION_CHECK="$(mktemp -d)/admission-check.js"');
      expect(writeChecker).toContain(admissionCheckSource().trimEnd());
      expect(prepare).toMatch(/node "\$\{ADMISSION_CHECK\}" --namespace "\$\{NAMESPACE\}" --image "\$\{DEPLOYED_IMAGE\}"/);
      expect(prepare.indexOf('node "${ADMISSION_CHECK}"')).toBeLessThan(prepare.indexOf('[[ "${admitted}" == true ]]'));
      expect(JSON.stringify(buildspec)).not.toContain('eks-deploy:admission-check');
    });

    test('allows no image besides the promoted one by default', () => {
      expect(environment(template).ALLOWED_IMAGES).toBe('');
    });

    test('is clean under AwsSolutions and NIST 800-53 rev5', () => {
      expect(nagViolations(stack)).toEqual([]);
    });
  });

  test('passes the allowed images to the build, comma-separated', () => {
    const images = [`busybox@sha256:${'b'.repeat(64)}`, `public.ecr.aws/envoy/envoy@sha256:${'c'.repeat(64)}`];
    const stack = testStack();
    deployStage(stack, { allowedImages: images });
    expect(environment(Template.fromStack(stack)).ALLOWED_IMAGES).toBe(images.join(','));
  });

  test('accepts a long rollout with a build timeout that holds it twice', () => {
    const stack = testStack();
    deployStage(stack, { rolloutTimeout: Duration.minutes(20), buildTimeout: Duration.minutes(45) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::CodeBuild::Project', { TimeoutInMinutes: 45 });
    expect(environment(template).ROLLOUT_TIMEOUT).toBe('1200s');
  });

  test('gets the cluster name and ARN from an imported cluster', () => {
    const stack = testStack();
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'imported' });
    deployStage(stack, { clusterName: undefined, cluster });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::AccessEntry', { ClusterName: 'imported' });
    const describe = identityStatements(template.toJSON()).find((statement) => statement.Action === 'eks:DescribeCluster');
    expect(JSON.stringify(describe.Resource)).toContain(':cluster/imported');
  });

  describe('with a cross-account deploy role', () => {
    const deployRoleArn = 'arn:aws:iam::222222222222:role/eks-deploy-production';
    const stack = testStack();
    deployStage(stack, { deployRoleArn, clusterRegion: 'eu-central-1' });
    const template = Template.fromStack(stack);

    test('may assume that one role and nothing else, and does not describe clusters itself', () => {
      const statements = identityStatements(template.toJSON());
      const assume = statements.filter((statement) => [statement.Action].flat().includes('sts:AssumeRole'));
      expect(assume).toEqual([expect.objectContaining({ Action: 'sts:AssumeRole', Resource: deployRoleArn })]);
      expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action: string) => action.startsWith('eks:'))).toEqual([]);
    });

    test('creates no access entry in the pipeline account and tells the build which role to assume', () => {
      template.resourceCountIs('AWS::EKS::AccessEntry', 0);
      expect(environment(template)).toMatchObject({ DEPLOY_ROLE_ARN: deployRoleArn, CLUSTER_REGION: 'eu-central-1' });
    });

    test('is clean under both packs', () => {
      expect(nagViolations(stack)).toEqual([]);
    });
  });

  describe('with image verification', () => {
    const stack = testStack();
    const profileArn = 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory_images';
    const repository = ecr.Repository.fromRepositoryName(stack, 'Images', 'sample-app');
    deployStage(stack, { imageVerification: { signingProfileArn: profileArn, repository } });
    const template = Template.fromStack(stack);

    test('tells the build which signing profile to verify against', () => {
      expect(environment(template).SIGNING_PROFILE_ARN).toBe(profileArn);
    });

    test('may read that one repository\'s images and referrers, log in and check revocations, nothing more', () => {
      const statements = identityStatements(template.toJSON()).filter((statement) =>
        [statement.Action].flat().some((action: string) => /^(ecr|signer):/.test(action)),
      );
      expect(statements.map((statement) => [statement.Sid, statement.Action, stack.resolve(statement.Resource)])).toEqual([
        ['ReadTheImageSignaturesAndProvenance', ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/sample-app']] }],
        ['RegistryLoginAndSignatureRevocation', ['ecr:GetAuthorizationToken', 'signer:GetRevocationStatus'], '*'],
      ]);
      expect(wildcardActions(identityStatements(template.toJSON()))).toEqual([]);
    });

    test('is clean under both packs', () => {
      expect(nagViolations(stack)).toEqual([]);
    });

    test('refuses a signing profile that is not a profile ARN', () => {
      expect(() => deployStage(testStack(), { imageVerification: { signingProfileArn: 'factory_images', repository } }))
        .toThrow(/imageVerification.signingProfileArn must be an AWS Signer signing profile ARN/);
    });
  });

  describe('with generated manifests', () => {
    const stack = testStack();
    deployStage(stack, { manifests: DeployManifests.fromWorkload({ name: 'web', replicas: 3 }) });
    const variables = environment(Template.fromStack(stack));

    test('embeds the synthesized manifests, which decode to the hardened workload', () => {
      const yaml = zlib.gunzipSync(Buffer.from(variables.GENERATED_MANIFEST_GZ_B64, 'base64')).toString('utf8');
      const deployment = YAML.parseAllDocuments(yaml).map((document) => document.toJS()).find((manifest) => manifest.kind === 'Deployment');
      expect(deployment.spec.replicas).toBe(3);
      expect(deployment.spec.template.spec.containers[0].image).toBe(variables.MANIFEST_IMAGE_NAME);
      expect(deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    test('writes them to a build-private folder', () => {
      expect(variables.MANIFEST_DIR).toBe('.eks-deploy/generated');
    });
  });

  /** Staging and production deploys of one image, in one pipeline. */
  function pipelineWithTwoStages(): { staging: EksDeployStage; production: EksDeployStage; template: any } {
    const stack = testStack();
    const source = sourceArtifact();
    const key = sharedKey(stack);
    const image = DeployImage.fromDigest('#{ImageScan.IMAGE_URI}', '#{ImageScan.IMAGE_DIGEST}');
    const manifests = DeployManifests.fromSourceDirectory('k8s', 'sample-app');
    const staging = new EksDeployStage(stack, 'Staging', {
      environment: 'staging',
      input: source,
      image,
      manifests,
      clusterName: 'apps-staging',
      namespace: 'web',
      encryptionKey: key,
    });
    const production = new EksDeployStage(stack, 'Production', {
      environment: 'production',
      input: source,
      image,
      manifests,
      clusterName: 'apps-production',
      namespace: 'web',
      encryptionKey: key,
      runOrder: 2,
    });
    pipelineAround(stack, source, [{ name: 'Staging', actions: [staging.action] }, { name: 'Production', actions: [production.action] }]);
    return { staging, production, template: Template.fromStack(stack).toJSON() };
  }

  describe('in a pipeline', () => {
    const { staging, production, template } = pipelineWithTwoStages();

    test('passes one digest expression to staging and production as action overrides', () => {
      for (const actionName of ['Deploy-staging', 'Deploy-production']) {
        expect(JSON.parse(actionConfiguration(template, actionName).EnvironmentVariables)).toEqual([
          { name: 'IMAGE_REPOSITORY', type: 'PLAINTEXT', value: '#{ImageScan.IMAGE_URI}' },
          { name: 'IMAGE_DIGEST', type: 'PLAINTEXT', value: '#{ImageScan.IMAGE_DIGEST}' },
        ]);
      }
    });

    test('exports its variables under a namespace named after the stage', () => {
      const actions = (Object.values(template.Resources).find((resource: any) => resource.Type === 'AWS::CodePipeline::Pipeline') as any)
        .Properties.Stages.flatMap((stage: any) => stage.Actions);
      expect(actions.find((action: any) => action.Name === 'Deploy-staging').Namespace).toBe('DeployStaging');
      expect(actions.find((action: any) => action.Name === 'Deploy-production').Namespace).toBe('DeployProduction');
      expect(staging.variablesNamespace).toBe('DeployStaging');
    });

    test('keeps the deploy stages clean under both packs once the pipeline has granted them its artifacts', () => {
      expect(nagViolations(staging)).toEqual([]);
      expect(nagViolations(production)).toEqual([]);
    });

    test.each([
      'AwsSolutions-IAM5[Action::s3:GetObject*]',
      'AwsSolutions-IAM5[Action::s3:GetBucket*]',
      'AwsSolutions-IAM5[Action::s3:List*]',
    ])('needs the artifact bucket acknowledgement %s', (ruleId) => {
      const fresh = pipelineWithTwoStages().staging;
      expect(removeAcknowledgements(fresh, (ack) => ack.id === ruleId).length).toBe(1);
      expect(nagViolations(fresh).map((violation) => violation.rule)).toEqual([ruleId]);
    });

    test('needs the acknowledgement of the artifact bucket objects, named by the bucket\'s logical id', () => {
      const fresh = pipelineWithTwoStages().production;
      const ruleId = acknowledgementsIn(fresh).map((ack) => ack.id)
        .find((id) => id.startsWith('AwsSolutions-IAM5[Resource::<PipelineArtifactsBucket'));
      expect(ruleId).toMatch(/^AwsSolutions-IAM5\[Resource::<PipelineArtifactsBucket[0-9A-F]{8}\.Arn>\/\*\]$/);
      expect(removeAcknowledgements(fresh, (ack) => ack.id === ruleId!).length).toBe(1);
      expect(nagViolations(fresh).map((violation) => violation.rule)).toEqual([ruleId]);
    });

    test('adds the key policy statement for CloudWatch Logs once, however many stages share the key', () => {
      const keyResource = Object.values(template.Resources).find((resource: any) => resource.Type === 'AWS::KMS::Key') as any;
      expect(
        keyResource.Properties.KeyPolicy.Statement.filter((statement: any) => statement.Sid === 'AllowCloudWatchLogsOfThisAccount'),
      ).toHaveLength(1);
    });
  });

  describe('in a VPC (private cluster endpoint)', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const buildGroup = new ec2.SecurityGroup(stack, 'BuildGroup', { vpc, description: 'deploy build' });
    const stage = deployStage(stack, { vpc, subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [buildGroup] });
    const template = Template.fromStack(stack);
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0] as any;

    test('runs the build in the given subnets with the given security groups', () => {
      expect(project.Properties.VpcConfig.VpcId).toEqual({ Ref: stack.getLogicalId(vpc.node.defaultChild as ec2.CfnVPC) });
      expect(project.Properties.VpcConfig.SecurityGroupIds).toEqual([
        { 'Fn::GetAtt': [stack.getLogicalId(buildGroup.node.defaultChild as ec2.CfnSecurityGroup), 'GroupId'] },
      ]);
      const privateSubnets = vpc.privateSubnets.map((subnet) => ({ Ref: stack.getLogicalId(subnet.node.defaultChild as ec2.CfnSubnet) }));
      expect(project.Properties.VpcConfig.Subnets).toEqual(privateSubnets);
    });

    test('creates a security group with outbound access only when none is given', () => {
      const other = testStack();
      const otherVpc = new ec2.Vpc(other, 'Vpc', { maxAzs: 2, natGateways: 1 });
      deployStage(other, { vpc: otherVpc });
      const groups = Object.values(Template.fromStack(other).findResources('AWS::EC2::SecurityGroup')) as any[];
      expect(groups).toHaveLength(1);
      expect(groups[0].Properties.SecurityGroupIngress).toBeUndefined();
      expect(groups[0].Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
    });

    test('has no VPC configuration by default (public endpoint)', () => {
      const other = testStack();
      deployStage(other);
      const defaultProject = Object.values(Template.fromStack(other).findResources('AWS::CodeBuild::Project'))[0] as any;
      expect(defaultProject.Properties.VpcConfig).toBeUndefined();
    });

    test('rejects subnets or security groups without a VPC', () => {
      expect(() => deployStage(testStack(), { subnetSelection: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } })).toThrow(/give vpc too/);
      const other = testStack();
      const group = ec2.SecurityGroup.fromSecurityGroupId(other, 'Group', 'sg-0123456789abcdef0');
      expect(() => deployStage(other, { securityGroups: [group] })).toThrow(/give vpc too/);
    });

    test('stays clean under both packs: only aws-cdk-lib\'s network-interface grants are acknowledged', () => {
      expect(nagViolations(stage)).toEqual([]);
    });

    test.each([
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]',
      'AwsSolutions-IAM5[Resource::*]',
    ])('needs the VPC acknowledgement %s: without it the finding returns', (ruleId) => {
      const fresh = testStack();
      const freshStage = deployStage(fresh, { vpc: new ec2.Vpc(fresh, 'Vpc', { maxAzs: 2, natGateways: 1 }) });
      expect(removeAcknowledgements(freshStage, (ack) => ack.id === ruleId).length).toBeGreaterThan(0);
      expect(nagViolations(freshStage).map((violation) => violation.rule)).toContain(ruleId);
    });
  });

  describe('acknowledgements', () => {
    const acknowledged = (() => {
      const stack = testStack();
      deployStage(stack);
      return acknowledgementsIn(stack).map((ack) => ack.id);
    })();

    test.each(acknowledged)('%s is needed: without it the finding returns', (ruleId) => {
      const stack = testStack();
      deployStage(stack);
      expect(nagViolations(stack)).toEqual([]);
      expect(removeAcknowledgements(stack, (ack) => ack.id === ruleId).length).toBeGreaterThan(0);
      expect(nagViolations(stack).map((violation) => violation.rule)).toContain(ruleId);
    });

    test('are exact finding ids in an environment-agnostic stack too', () => {
      const stack = new Stack();
      deployStage(stack);
      expect(nagViolations(stack)).toEqual([]);
    });

    test('cover the five findings of aws-cdk-lib CodeBuild grants and nothing more', () => {
      expect(acknowledged).toHaveLength(5);
    });
  });

  describe('validation', () => {
    test.each<[string, StageOverrides, RegExp]>([
      ['neither cluster nor clusterName', { clusterName: undefined }, /exactly one of cluster and clusterName/],
      ['a namespace that is not a DNS label', { namespace: 'Web_Apps' }, /namespace must be a DNS-1123 label/],
      ['an environment name with spaces', { environment: 'my stage' }, /environment must be/],
      ['a deploy role that is not a role ARN', { deployRoleArn: 'eks-deploy' }, /deployRoleArn must be an IAM role ARN/],
      ['a rollout timeout over an hour', { rolloutTimeout: Duration.hours(2) }, /rolloutTimeout/],
      ['a build timeout shorter '
        + 'than rollout plus rollback', { rolloutTimeout: Duration.minutes(10), buildTimeout: Duration.minutes(15) }, /buildTimeout/],
      ['a rollout timeout the default build timeout cannot hold twice', { rolloutTimeout: Duration.minutes(20) }, /buildTimeout/],
      ['a build timeout over the CodeBuild limit of 8 hours', { buildTimeout: Duration.hours(9) }, /at most 8 hours/],
      [
        'an allowed image given by tag',
        { allowedImages: ['busybox:1.36'] },
        /allowedImages entries must be repository@sha256:<64 hex> \(pinned by digest, no tag\); got 'busybox:1.36'/,
      ],
      ['an allowed image with both tag and digest', { allowedImages: [`busybox:1.36@sha256:${'b'.repeat(64)}`] }, /allowedImages entries must be/],
      ['more allowed images than one build variable holds', {
        allowedImages: Array.from({ length: 60 }, (_, index) => `registry.example.com/team/image-${index}@sha256:${'b'.repeat(64)}`),
      }, /allowedImages is too long/],
      ['a same-account cluster in another region (its access entry would land in the wrong region)',
        { clusterRegion: 'us-east-1' }, /differs from the stack region/],
    ])('rejects %s', (_name, overrides, message) => {
      expect(() => deployStage(testStack(), overrides)).toThrow(message);
    });

    test('rejects both a cluster and a cluster name', () => {
      const stack = testStack();
      const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'imported' });
      expect(() => deployStage(stack, { cluster })).toThrow(/exactly one/);
    });
  });
});
