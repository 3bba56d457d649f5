import { policyStatements } from '@devsecops-factory/test-kit';
import { Duration } from 'aws-cdk-lib';
import { BuildSecret, ImageScanner, ImageScanStage, SbomFormat } from '../src';
import { expectedStageBuildspec } from './support/buildspec-files';
import { importedSecret, newStack, stageDependencies } from './support/factory';
import { renderStage } from './support/stage-template';

function render(props: Partial<ConstructorParameters<typeof ImageScanStage>[2]> = {}) {
  const stack = newStack();
  const deps = stageDependencies(stack);
  const stage = new ImageScanStage(stack, 'Image', { ...deps, ...props });
  return { stage, stack, ...renderStage(stack, deps.input, stage.action, 'Image') };
}

describe('ImageScanStage', () => {
  test('builds with Docker in privileged mode and scans with Grype by default', () => {
    const { project, buildspec, environment } = render();
    const { reports: _reports, ...rest } = buildspec;
    expect(rest).toEqual(expectedStageBuildspec('image-scan.yml'));
    expect(project.Properties.Environment.PrivilegedMode).toBe(true);
    expect(project.Properties.TimeoutInMinutes).toBe(60);
    expect(environment).toEqual(expect.objectContaining({
      SCANNER: { Type: 'PLAINTEXT', Value: 'grype' },
      DOCKERFILE_PATH: { Type: 'PLAINTEXT', Value: 'Dockerfile' },
      DOCKER_BUILD_CONTEXT: { Type: 'PLAINTEXT', Value: '.' },
      SCAN_TIMEOUT_MINUTES: { Type: 'PLAINTEXT', Value: '15' },
      STAGE_NAME: { Type: 'PLAINTEXT', Value: 'image' },
      SBOM_FORMAT: { Type: 'PLAINTEXT', Value: 'cyclonedx' },
      MALWARE_SCAN: { Type: 'PLAINTEXT', Value: 'true' },
      CLAMAV_DATABASE_MIRROR: { Type: 'PLAINTEXT', Value: 'database.clamav.net' },
    }));
  });

  test('may write SBOMs under its own repository\'s sbom/ prefix only', () => {
    const { template } = render({ sourceRepository: 'org/app' });
    const writes = policyStatements(template).filter((s) => s.resourceType === 'AWS::IAM::Policy' && s.actions.includes('s3:PutObject'));
    const sbom = writes.filter((s) => JSON.stringify(s.resources).includes('/sbom/'));
    expect(sbom).toHaveLength(1);
    expect(sbom[0].actions).toEqual(['s3:PutObject']);
    expect(JSON.stringify(sbom[0].resources)).toMatch(/"\/sbom\/org\/app\/\*"\]/);
  });

  test('writes SPDX on request, may skip the malware scan and use a private signature mirror', () => {
    const { environment } = render({
      sbomFormat: SbomFormat.SPDX_JSON,
      malwareScan: false,
      clamavDatabaseMirror: 'clamav-mirror.internal.example:8443',
    });
    expect([environment.SBOM_FORMAT.Value, environment.MALWARE_SCAN.Value, environment.CLAMAV_DATABASE_MIRROR.Value])
      .toEqual(['spdx-json', 'false', 'clamav-mirror.internal.example:8443']);
  });

  test('refuses a signature mirror that is not a host name', () => {
    expect(() => render({ clamavDatabaseMirror: 'https://mirror/path\nDatabaseMirror evil' })).toThrow(/clamavDatabaseMirror must be a host name/);
  });

  test('hands the image tarball on as a named output artifact', () => {
    const { stage, action } = render({ imageArtifactName: 'AppImage' });
    expect(stage.imageArtifact.artifactName).toBe('AppImage');
    expect(action.OutputArtifacts).toEqual([{ Name: 'AppImage' }]);
  });

  test('reads the Snyk token from Secrets Manager and may read only that secret', () => {
    const { environment, template } = render({
      scanner: ImageScanner.snyk({ token: BuildSecret.fromSecretsManager(importedSecret(newStack(), 'T', 'snyk-token'), 'token') }),
    });
    expect(environment.SNYK_TOKEN).toEqual({
      Type: 'SECRETS_MANAGER',
      Value: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:snyk-token-AbCdEf:token',
    });
    const reads = JSON.stringify(template.toJSON()).match(/secret:[A-Za-z0-9-]+\*?/g);
    // Its complete ARN only: not aws-cdk-lib's `<ARN>*` for a variable given as a literal ARN.
    expect(new Set(reads)).toEqual(new Set(['secret:snyk-token-AbCdEf']));
  });

  test('runs a custom scanner with its secrets as references', () => {
    const { environment } = render({
      scanTimeout: Duration.minutes(5),
      scanner: ImageScanner.custom({
        installCommands: ['pip install --require-hashes -r scanner-requirements.txt'],
        runCommand: 'scanner "$IMAGE_TARBALL" > reports/custom.sarif',
        reportPath: 'reports/custom.sarif',
        parserId: 'sarif',
        secrets: { SCANNER_KEY: BuildSecret.fromSsmSecureString('/scanner/key') },
      }),
    });
    expect(environment.SCANNER.Value).toBe('custom');
    expect(environment.CUSTOM_SCANNER_PARSER.Value).toBe('sarif');
    expect(environment.SCANNER_KEY).toEqual({ Type: 'PARAMETER_STORE', Value: '/scanner/key' });
    expect(environment.SCAN_TIMEOUT_MINUTES.Value).toBe('5');
  });
});
