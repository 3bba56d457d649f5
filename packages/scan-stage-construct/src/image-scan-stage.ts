import { Duration, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import { Construct } from 'constructs';
import { DatabaseMirror, MirroredDatabase } from './database-mirror';
import { SBOM_PREFIX } from './defaults';
import { ImageScanner } from './image-scanner';
import { ScanStageBase } from './private/scan-stage-base';
import { grantSupplyChainUpload, stageRepository } from './private/supply-chain';
import { plainVariables } from './private/variables';
import { ScanStageProps } from './scan-stage-props';

/** Formats of the SBOM ImageScanStage writes. */
export enum SbomFormat {
  /** CycloneDX JSON (`application/vnd.cyclonedx+json`). */
  CYCLONEDX_JSON = 'cyclonedx',
  /** SPDX JSON (`application/spdx+json`). */
  SPDX_JSON = 'spdx-json',
}

/** Properties of an {@link ImageScanStage}. */
export interface ImageScanStageProps extends ScanStageProps {
  /**
   * The scanner run against the built image.
   *
   * @default ImageScanner.grype()
   */
  readonly scanner?: ImageScanner;

  /**
   * Path of the Dockerfile in the source.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;

  /**
   * Docker build context, relative to the source root.
   *
   * @default '.'
   */
  readonly buildContext?: string;

  /**
   * Name of the output artifact holding the image tarball, for EcrScanStage.
   * Must be unique in the pipeline.
   *
   * @default 'ScannedImage'
   */
  readonly imageArtifactName?: string;

  /**
   * Upper bound of the scan itself (Trivy `--timeout`); the build timeout bounds everything.
   *
   * @default Duration.minutes(15)
   */
  readonly scanTimeout?: Duration;

  /**
   * Format of the SBOM Trivy writes of the image tarball, whatever the scanner. It is kept in the reports
   * bucket as `sbom/<repository>/<image id>.cdx.json` and handed to EcrScanStage in `imageArtifact`, which
   * attaches it to the pushed image as an OCI referrer.
   *
   * @default SbomFormat.CYCLONEDX_JSON
   */
  readonly sbomFormat?: SbomFormat;

  /**
   * Whether ClamAV scans the image's filesystem (each layer, extracted from the tarball) for malware. Its
   * report is uploaded, imported into Security Hub and gated like the scanner's (`asff convert --tool clamav`).
   *
   * @default true
   */
  readonly malwareScan?: boolean;

  /**
   * Where freshclam downloads ClamAV's signatures from (a host name, `DatabaseMirror` of freshclam.conf).
   * freshclam checks each signed database file against ClamAV's key whatever the mirror; point it at a
   * private mirror (e.g. one filled by cvdupdate) to keep builds off the public CDN.
   *
   * @default 'database.clamav.net' (ClamAV's official mirror)
   */
  readonly clamavDatabaseMirror?: string;

  /**
   * The factory's vulnerability database mirror: the build restores the databases of its scanner (Grype's, or
   * Trivy's and its Java index) and ClamAV's signatures from it, checks each archive's sha256, turns the scanners'
   * own updates off, and fails when a database is older than the mirror's limit for it. Without it the scanners
   * download their databases from the internet in every build.
   *
   * @default - no mirror
   */
  readonly databaseMirror?: DatabaseMirror;
}

/**
 * Builds the container image (the only stage with privileged mode, for the
 * Docker daemon), scans the saved image with Snyk, Grype, Trivy or a custom
 * scanner and for malware with ClamAV, writes its SBOM with Trivy, and gates
 * on the findings. Nothing is pushed: the image tarball, its SBOM and the
 * record of the passed gate leave as `imageArtifact` and only a passing gate
 * lets the pipeline hand them to EcrScanStage. Exports `IMAGE_ID` (the
 * image's config digest).
 */
export class ImageScanStage extends ScanStageBase {
  /** The image tarball (`image/image.tar`), input of EcrScanStage. */
  public readonly imageArtifact: codepipeline.Artifact;

  constructor(scope: Construct, id: string, props: ImageScanStageProps) {
    const scanner = (props.scanner ?? ImageScanner.grype()).bind();
    const imageArtifact = new codepipeline.Artifact(props.imageArtifactName ?? 'ScannedImage');
    super(scope, id, props, {
      buildspec: 'image-scan.yml',
      pullRequestCheck: true,
      description: 'Container image build and scan gated by asff',
      defaultPolicyStage: 'image',
      defaultActionName: 'ImageScan',
      defaultTimeout: Duration.minutes(60),
      privileged: true,
      computeType: codebuild.ComputeType.MEDIUM,
      environmentVariables: {
        SBOM_FORMAT: { value: props.sbomFormat ?? SbomFormat.CYCLONEDX_JSON },
        MALWARE_SCAN: { value: String(props.malwareScan ?? true) },
        CLAMAV_DATABASE_MIRROR: { value: clamavMirror(props.clamavDatabaseMirror) },
        DOCKERFILE_PATH: { value: props.dockerfile ?? 'Dockerfile' },
        DOCKER_BUILD_CONTEXT: { value: props.buildContext ?? '.' },
        SCAN_TIMEOUT_MINUTES: { value: String((props.scanTimeout ?? Duration.minutes(15)).toMinutes()) },
        ...plainVariables(scanner.environmentVariables),
      },
      secrets: scanner.secrets,
      outputs: [imageArtifact],
      databaseMirror: props.databaseMirror,
      mirroredDatabases: imageDatabases(scanner.environmentVariables.SCANNER, props.malwareScan ?? true),
    });
    this.imageArtifact = imageArtifact;
    // A pull-request build keeps its SBOM in the build: it writes nothing to the reports bucket.
    if (props.pullRequest === undefined) {
      grantSupplyChainUpload(this.project, props.reportsBucket, SBOM_PREFIX, stageRepository(this, props.sourceRepository), 'SBOM');
    }
  }
}

/** The databases the image stage's scanners read: its scanner's (a custom or Snyk scanner has its own) and ClamAV's. */
function imageDatabases(scanner: string | undefined, malwareScan: boolean): MirroredDatabase[] {
  const databases: MirroredDatabase[] = [];
  if (scanner === 'grype') databases.push(MirroredDatabase.GRYPE);
  if (scanner === 'trivy') databases.push(MirroredDatabase.TRIVY, MirroredDatabase.TRIVY_JAVA);
  if (malwareScan) databases.push(MirroredDatabase.CLAMAV);
  return databases;
}

/** A host name (optionally with a port): it becomes one line of freshclam.conf. */
function clamavMirror(mirror: string | undefined): string {
  const value = mirror ?? 'database.clamav.net';
  if (!Token.isUnresolved(value) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(value)) {
    throw new Error(`clamavDatabaseMirror must be a host name (freshclam DatabaseMirror), got '${value}'`);
  }
  return value;
}
