import { policyStatements } from '@devsecops-factory/test-kit';
import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as signer from 'aws-cdk-lib/aws-signer';
import { EcrScanStage, ImageScanStage } from '../src';
import { expectedStageBuildspec } from './support/buildspec-files';
import { importedRepository, newStack, stageDependencies } from './support/factory';
import { actionOverrides, renderStage } from './support/stage-template';

function render(props: Partial<ConstructorParameters<typeof EcrScanStage>[2]> = {}) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const image = new ImageScanStage(stack, 'Image', deps);
  const stage = new EcrScanStage(stack, 'Ecr', { ...deps, imageArtifact: image.imageArtifact, ecrRepository: importedRepository(stack), ...props });
  return renderStage(stack, deps.input, stage.action, 'Ecr', [image.action]);
}

const ecrActionsOf = (template: ReturnType<typeof render>['template']) =>
  policyStatements(template).filter((s) => s.logicalId.startsWith('EcrProjectRole'));

describe('EcrScanStage', () => {
  const { project, buildspec, environment, action, template } = render();

  test('pushes with crane, unprivileged, and bounds the wait for the ECR scan', () => {
    const { reports: _reports, ...rest } = buildspec;
    expect(rest).toEqual(expectedStageBuildspec('ecr-scan.yml'));
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    expect(environment.ECR_SCAN_TIMEOUT_SECONDS.Value).toBe('900');
    expect(project.Properties.TimeoutInMinutes).toBe(35);
    expect(environment.IMAGE_ARTIFACT_NAME.Value).toBe('ScannedImage');
    expect(environment.ECR_REPOSITORY_URI.Value).toEqual({
      'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/sample-app']],
    });
  });

  test('takes the source (policy) as primary input and the image tarball as a secondary one', () => {
    expect(action.InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'ScannedImage' }]);
    expect(action.Configuration.PrimarySource).toBe('Source');
  });

  test('may push to and read scans of this one repository, and log in to the registry', () => {
    const statements = ecrActionsOf(template).filter((s) => s.actions.some((a) => a.startsWith('ecr:')));
    const onRepository = statements.filter((s) => !s.resources.includes('*'));
    expect(onRepository.flatMap((s) => s.resources)).toEqual([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecr:eu-west-1:111111111111:repository/sample-app']],
    }]);
    expect(onRepository.flatMap((s) => s.actions)).toEqual(
      expect.arrayContaining(['ecr:PutImage', 'ecr:DescribeImageScanFindings', 'ecr:StartImageScan']),
    );
    expect(statements.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions).sort())
      .toEqual(['ecr:GetAuthorizationToken', 'ecr:GetRegistryScanningConfiguration']);
  });

  test('may read the registry scanning configuration and Inspector findings even without enhancedScanning', () => {
    // The registry's scan type is account configuration: a registry in enhanced mode denies
    // describe-image-scan-findings to a role without inspector2:ListFindings.
    const wildcard = ecrActionsOf(template).filter((s) => s.resources.includes('*')).flatMap((s) => s.actions);
    expect(wildcard).toEqual(expect.arrayContaining(['ecr:GetRegistryScanningConfiguration', 'inspector2:ListFindings']));
  });

  test('with enhanced scanning, may list Inspector findings', () => {
    const enhanced = render({ enhancedScanning: true, scanTimeout: Duration.minutes(30) });
    expect(ecrActionsOf(enhanced.template).flatMap((s) => s.actions)).toContain('inspector2:ListFindings');
    expect(enhanced.environment.ECR_SCAN_TIMEOUT_SECONDS.Value).toBe('1800');
    expect(enhanced.project.Properties.TimeoutInMinutes).toBe(50);
  });

  test('without signing, signs nothing but may write provenance under its own repository prefix and names the pipeline execution', () => {
    expect([environment.SIGNING_PROFILE_ARN.Value, template.findResources('AWS::Signer::SigningProfile')]).toEqual(['', {}]);
    expect(Object.keys(template.findResources('AWS::ECR::SigningConfiguration'))).toEqual([]);
    expect(actionOverrides(action).PIPELINE_EXECUTION_ID).toEqual({ type: 'PLAINTEXT', value: '#{codepipeline.PipelineExecutionId}' });
    const provenance = ecrActionsOf(template).filter((s) => JSON.stringify(s.resources).includes('/provenance/'));
    expect(provenance.map((s) => [s.actions, JSON.stringify(s.resources)])).toEqual([
      [['s3:PutObject'], expect.stringMatching(/\/provenance\/Factory\/\*"\]/)],
    ]);
    expect(ecrActionsOf(template).flatMap((s) => s.actions).filter((a) => a.startsWith('signer:'))).toEqual([]);
  });

  test('refuses an unnamed image artifact', () => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    expect(() => new EcrScanStage(stack, 'Ecr', { ...deps, imageArtifact: new codepipeline.Artifact(), ecrRepository: importedRepository(stack) }))
      .toThrow(/needs a name/);
  });
});

describe('EcrScanStage supply chain', () => {
  describe('with signing and a production account that pulls', () => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    const image = new ImageScanStage(stack, 'Image', deps);
    const repository = new ecr.Repository(stack, 'AppImages', { repositoryName: 'sample-app', imageTagMutability: ecr.TagMutability.IMMUTABLE });
    const stage = new EcrScanStage(stack, 'Ecr', {
      ...deps, imageArtifact: image.imageArtifact, ecrRepository: repository, signing: {}, pullAccounts: ['222222222222'],
    });
    const { template, environment } = renderStage(stack, deps.input, stage.action, 'Ecr', [image.action]);
    const [profileId] = Object.keys(template.findResources('AWS::Signer::SigningProfile'));

    test('creates a Notation signing profile and the registry\'s signing configuration for this repository with it', () => {
      template.resourceCountIs('AWS::Signer::SigningProfile', 1);
      template.hasResourceProperties('AWS::Signer::SigningProfile', {
        PlatformId: 'Notation-OCI-SHA384-ECDSA',
        SignatureValidityPeriod: { Type: 'DAYS', Value: 365 },
      });
      template.resourceCountIs('AWS::ECR::SigningConfiguration', 1);
      template.hasResourceProperties('AWS::ECR::SigningConfiguration', {
        Rules: [{
          SigningProfileArn: { 'Fn::GetAtt': [profileId, 'Arn'] },
          RepositoryFilters: [{ Filter: { Ref: Match.stringLikeRegexp('^AppImages') }, FilterType: 'WILDCARD_MATCH' }],
        }],
      });
      expect(environment.SIGNING_PROFILE_ARN.Value).toEqual({ 'Fn::GetAtt': [profileId, 'Arn'] });
      expect(environment.IMAGE_SIGNATURE.Value).toBe('managed');
      expect(stage.signingProfileArn).toBeDefined();
    });

    test('may sign payloads with and read that one profile, nothing else of AWS Signer', () => {
      const signing = ecrActionsOf(template).filter((s) => s.actions.some((a) => a.startsWith('signer:')));
      expect(signing.map((s) => [s.actions, s.resources])).toEqual([
        [['signer:SignPayload', 'signer:GetSigningProfile'], [{ 'Fn::GetAtt': [profileId, 'Arn'] }]],
      ]);
    });

    test('lets the production account pull the image and its referrers and read the profile', () => {
      const pull = policyStatements(template).filter((s) => s.resourceType === 'AWS::ECR::Repository');
      expect(pull.map((s) => [s.actions, s.principal])).toEqual([[
        ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
        { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
      ]]);
      template.hasResourceProperties('AWS::Signer::ProfilePermission', {
        ProfileName: { 'Fn::GetAtt': [profileId, 'ProfileName'] },
        Action: 'signer:GetSigningProfile',
        Principal: '222222222222',
        StatementId: 'verify-222222222222',
      });
    });

    test('refuses a second owner of the registry\'s signing configuration, naming the first', () => {
      expect(() => new EcrScanStage(stack, 'OtherApp', { ...deps, imageArtifact: image.imageArtifact, ecrRepository: repository, signing: {} }))
        .toThrow(/Factory\/Ecr\/RegistrySigningConfiguration already owns this registry's signing configuration/);
      const second = new EcrScanStage(stack, 'SelfSigned', {
        ...deps,
        imageArtifact: image.imageArtifact,
        ecrRepository: repository,
        signing: { signingProfileArn: 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/factory_images', registrySigningConfiguration: false },
      });
      expect([second.signingConfiguration, second.signingProfile]).toEqual([undefined, undefined]);
    });
  });

  test('lets verifier accounts read a new profile without touching an imported repository\'s policy', () => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    const image = new ImageScanStage(stack, 'Image', deps);
    const stage = new EcrScanStage(stack, 'Ecr', {
      ...deps,
      imageArtifact: image.imageArtifact,
      ecrRepository: importedRepository(stack),
      signing: { registrySigningConfiguration: false, verifierAccounts: ['333333333333'] },
    });
    const permissions = stage.node.findAll().filter((node): node is signer.CfnProfilePermission => node instanceof signer.CfnProfilePermission);
    expect(permissions.map((p) => [p.principal, p.action])).toEqual([['333333333333', 'signer:GetSigningProfile']]);
    expect(stage.signingConfiguration).toBeUndefined();
  });

  test('refuses a malformed signing profile ARN, a validity for an existing profile and a malformed pull account', () => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    const image = new ImageScanStage(stack, 'Image', deps);
    const base = { ...deps, imageArtifact: image.imageArtifact, ecrRepository: importedRepository(stack) };
    expect(() => new EcrScanStage(stack, 'A', { ...base, signing: { signingProfileArn: 'factory_images' } })).toThrow(/signing profile ARN/);
    expect(() => new EcrScanStage(stack, 'B', {
      ...base, signing: { signingProfileArn: 'arn:aws:signer:eu-west-1:111111111111:/signing-profiles/x1', signatureValidity: Duration.days(30) },
    })).toThrow(/applies to a new signing profile only/);
    expect(() => new EcrScanStage(stack, 'C', { ...base, pullAccounts: ['prod'] })).toThrow(/must be 12-digit account ids/);
    expect(() => new EcrScanStage(stack, 'D', { ...base, pullAccounts: ['222222222222'] })).toThrow(/needs an ecrRepository defined in this app/);
  });
});
