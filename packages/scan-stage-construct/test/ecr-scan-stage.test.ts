import { Duration } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { EcrScanStage, ImageScanStage } from '../src';
import { expectedStageBuildspec } from './support/buildspec-files';
import { importedRepository, newStack, stageDependencies } from './support/factory';
import { policyStatements } from './support/iam-policies';
import { renderStage } from './support/stage-template';

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
    expect(onRepository.flatMap((s) => s.actions)).toEqual(expect.arrayContaining(['ecr:PutImage', 'ecr:DescribeImageScanFindings', 'ecr:StartImageScan']));
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

  test('refuses an unnamed image artifact', () => {
    const stack = newStack();
    const deps = stageDependencies(stack);
    expect(() => new EcrScanStage(stack, 'Ecr', { ...deps, imageArtifact: new codepipeline.Artifact(), ecrRepository: importedRepository(stack) }))
      .toThrow(/needs a name/);
  });
});
