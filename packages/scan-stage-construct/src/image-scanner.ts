import { Token } from 'aws-cdk-lib';
import { BuildSecret } from './build-secret';

/**
 * A scanner brought by the user ("bring your own tool"). It scans the image
 * tarball whose path is in `$IMAGE_TARBALL` and writes a report that
 * `asff convert --tool <parserId>` understands.
 */
export interface ScannerDefinition {
  /**
   * Commands installing the scanner, run as one `bash -euo pipefail` script in the install phase.
   * Pin the version and verify the download's checksum (`sha256sum --check`).
   */
  readonly installCommands: string[];

  /**
   * Command scanning `$IMAGE_TARBALL` (a `docker save` archive) and writing `reportPath`.
   * It must exit 0 when it found vulnerabilities: `asff gate` decides whether the stage fails.
   */
  readonly runCommand: string;

  /** Where `runCommand` writes its report, relative to the source root (e.g. `reports/scan.json`). */
  readonly reportPath: string;

  /** The `asff convert --tool` parser id for the report format (e.g. `grype`, `trivy`, `sarif`). */
  readonly parserId: string;

  /**
   * Secrets the scanner needs (e.g. a licence key), as environment variable name to reference.
   *
   * @default - none
   */
  readonly secrets?: Record<string, BuildSecret>;
}

/** Properties of the Snyk Container scanner. */
export interface SnykImageScannerProps {
  /** The Snyk API token (`SNYK_TOKEN`), from Secrets Manager or an SSM SecureString. */
  readonly token: BuildSecret;
}

/** What a scanner contributes to the image-scan build. */
export interface ImageScannerConfig {
  /** Plain settings for the buildspec. */
  readonly environmentVariables: Record<string, string>;
  /** Secret references for the buildspec. */
  readonly secrets: Record<string, BuildSecret>;
}

const PARSER_ID = /^[a-z0-9][a-z0-9-]*$/;

/** The SCA/SAST scanner ImageScanStage runs against the built image. */
export abstract class ImageScanner {
  /** Anchore Grype (pinned release, checksum-verified). */
  public static grype(): ImageScanner {
    return new BuiltInScanner('grype', {});
  }

  /** Aqua Trivy (pinned release, checksum-verified). */
  public static trivy(): ImageScanner {
    return new BuiltInScanner('trivy', {});
  }

  /** Snyk Container, authenticated with a token kept in Secrets Manager or SSM. */
  public static snyk(props: SnykImageScannerProps): ImageScanner {
    return new BuiltInScanner('snyk', { SNYK_TOKEN: props.token });
  }

  /** Any other scanner, described by its install and run commands. */
  public static custom(definition: ScannerDefinition): ImageScanner {
    return new CustomScanner(definition);
  }

  /** The settings this scanner gives the build. */
  public abstract bind(): ImageScannerConfig;
}

class BuiltInScanner extends ImageScanner {
  constructor(private readonly id: string, private readonly secrets: Record<string, BuildSecret>) {
    super();
  }

  public bind(): ImageScannerConfig {
    return { environmentVariables: { SCANNER: this.id }, secrets: this.secrets };
  }
}

class CustomScanner extends ImageScanner {
  constructor(private readonly definition: ScannerDefinition) {
    super();
    if (!Token.isUnresolved(definition.parserId) && !PARSER_ID.test(definition.parserId)) {
      throw new Error(`ScannerDefinition.parserId must be an asff parser id (lower-case letters, digits, dashes), got '${definition.parserId}'`);
    }
    if (!Token.isUnresolved(definition.reportPath) && (definition.reportPath.trim() === '' || definition.reportPath.startsWith('/'))) {
      throw new Error(`ScannerDefinition.reportPath must be a path relative to the source root, got '${definition.reportPath}'`);
    }
    if (!Token.isUnresolved(definition.runCommand) && definition.runCommand.trim() === '') {
      throw new Error('ScannerDefinition.runCommand must not be empty');
    }
  }

  public bind(): ImageScannerConfig {
    return {
      environmentVariables: {
        SCANNER: 'custom',
        CUSTOM_SCANNER_INSTALL: this.definition.installCommands.join('\n'),
        CUSTOM_SCANNER_RUN: this.definition.runCommand,
        CUSTOM_SCANNER_REPORT: this.definition.reportPath,
        CUSTOM_SCANNER_PARSER: this.definition.parserId,
      },
      secrets: this.definition.secrets ?? {},
    };
  }
}
