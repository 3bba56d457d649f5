import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** Options of {@link AsffCli.fromAsset}. */
export interface AsffCliAssetOptions {
  /**
   * The key of the CDK bootstrap's file-asset bucket, when the environment was bootstrapped with a customer
   * managed key (`cdk bootstrap --bootstrap-customer-key` or `--bootstrap-kms-key-id`): each build is granted
   * `kms:Decrypt` on it to download the CLI.
   *
   * @default - the bucket is encrypted with the AWS managed key (the bootstrap default), which needs no grant
   */
  readonly assetBucketKey?: kms.IKey;
}

/** Options of {@link AsffCli.fromCodeArtifact}. */
export interface AsffCliCodeArtifactOptions {
  /** CodeArtifact domain holding the npm repository. */
  readonly domain: string;

  /**
   * Account that owns the domain.
   *
   * @default - the stack's account
   */
  readonly domainOwner?: string;

  /** npm repository of the domain to which `@devsecops-factory/asff-parsers` is published. */
  readonly repository: string;

  /** Exact version of `@devsecops-factory/asff-parsers` (no range: a build must be reproducible). */
  readonly version: string;

  /**
   * npm integrity of that version's tarball, as `npm view @devsecops-factory/asff-parsers@<version> dist.integrity`
   * prints it (`sha512-…`). The build refuses any other tarball.
   */
  readonly integrity: string;
}

/** What a scan stage's build needs to install the CLI: added to its project's environment. */
export interface AsffCliConfig {
  /** Plain-text environment variables read by the install script (none of them is a secret). */
  readonly environmentVariables: Record<string, codebuild.BuildEnvironmentVariable>;
}

/**
 * Where the scan stages get the `asff` CLI (converter and gate) from at build time.
 *
 * The default, {@link AsffCli.fromAsset}, needs no package registry: the CLI is bundled into this library as one
 * self-contained file (built with the findings-processor Lambda from the same sources, so both are the same
 * version), deployed with the stack as a CDK file asset, and each build refuses it unless its sha256 equals the
 * one fixed at synth.
 */
export abstract class AsffCli {
  /** The CLI bundled in this library, deployed as a CDK file asset and checked by sha256 in each build. */
  public static fromAsset(options: AsffCliAssetOptions = {}): AsffCli {
    return new AssetCli(options);
  }

  /** The published package from a CodeArtifact npm repository, checked against its npm integrity in each build. */
  public static fromCodeArtifact(options: AsffCliCodeArtifactOptions): AsffCli {
    return new CodeArtifactCli(options);
  }

  /** The build environment that selects this source (set on the project when it is created). */
  public abstract bind(scope: Construct): AsffCliConfig;

  /** Grants `project` what installing the CLI from this source needs. */
  public abstract grantInstall(project: codebuild.IProject): void;
}

/** The bundle as this package ships it (scripts/embed-bundle.js copies it from asff-parsers at build time). */
const BUNDLE = path.join(__dirname, '..', 'assets', 'asff-cli', 'asff.js');
const ASSET_ID = 'AsffCliBundle';

let bundleSha256: string | undefined;

/** sha256 of the bundle, computed once per process: the asset's content and the build's check are one file. */
function sha256OfBundle(): string {
  bundleSha256 ??= crypto.createHash('sha256').update(fs.readFileSync(BUNDLE)).digest('hex');
  return bundleSha256;
}

/** The stack's one asset of the bundle, however many stages use it. */
function bundleAsset(scope: Construct): s3assets.Asset {
  const stack = Stack.of(scope);
  return stack.node.tryFindChild(ASSET_ID) as s3assets.Asset | undefined ?? new s3assets.Asset(stack, ASSET_ID, { path: BUNDLE });
}

class AssetCli extends AsffCli {
  constructor(private readonly options: AsffCliAssetOptions) {
    super();
  }

  public bind(scope: Construct): AsffCliConfig {
    const asset = bundleAsset(scope);
    return {
      environmentVariables: {
        ASFF_CLI_SOURCE: { value: 'asset' },
        ASFF_CLI_S3_URI: { value: asset.s3ObjectUrl },
        ASFF_CLI_SHA256: { value: sha256OfBundle() },
      },
    };
  }

  public grantInstall(project: codebuild.IProject): void {
    const asset = bundleAsset(project);
    // GetObject on the one object: `asset.grantRead` would add s3:GetObject*, s3:GetBucket* and s3:List* on the
    // whole bootstrap bucket.
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [asset.bucket.arnForObjects(asset.s3ObjectKey)] }));
    if (this.options.assetBucketKey) {
      project.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.options.assetBucketKey.keyArn] }));
    }
  }
}

const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
const SHA512_INTEGRITY = /^sha512-[A-Za-z0-9+/]{86}==$/;

class CodeArtifactCli extends AsffCli {
  constructor(private readonly options: AsffCliCodeArtifactOptions) {
    super();
    if (!Token.isUnresolved(options.version) && !EXACT_VERSION.test(options.version)) {
      throw new Error(
        `AsffCli.fromCodeArtifact: version '${options.version}' is not an exact version (e.g. 1.2.3); ranges and tags make builds unreproducible`,
      );
    }
    if (!Token.isUnresolved(options.integrity) && !SHA512_INTEGRITY.test(options.integrity)) {
      throw new Error('AsffCli.fromCodeArtifact: integrity must be the sha512 npm integrity of the tarball (sha512-<88 base64 characters>)');
    }
  }

  public bind(scope: Construct): AsffCliConfig {
    return {
      environmentVariables: {
        ASFF_CLI_SOURCE: { value: 'codeartifact' },
        ASFF_CLI_CODEARTIFACT_DOMAIN: { value: this.options.domain },
        ASFF_CLI_CODEARTIFACT_OWNER: { value: this.owner(scope) },
        ASFF_CLI_CODEARTIFACT_REPOSITORY: { value: this.options.repository },
        ASFF_CLI_VERSION: { value: this.options.version },
        ASFF_CLI_INTEGRITY: { value: this.options.integrity },
      },
    };
  }

  public grantInstall(project: codebuild.IProject): void {
    const stack = Stack.of(project);
    const owner = this.owner(project);
    const domainArn = stack.formatArn({ service: 'codeartifact', account: owner, resource: 'domain', resourceName: this.options.domain });
    const repositoryArn = stack.formatArn({
      service: 'codeartifact',
      account: owner,
      resource: 'repository',
      resourceName: `${this.options.domain}/${this.options.repository}`,
    });
    const packageArn = stack.formatArn({
      service: 'codeartifact',
      account: owner,
      resource: 'package',
      resourceName: `${this.options.domain}/${this.options.repository}/npm/devsecops-factory/asff-parsers`,
    });
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['codeartifact:GetAuthorizationToken'], resources: [domainArn] }));
    project.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['codeartifact:GetRepositoryEndpoint', 'codeartifact:ReadFromRepository'], resources: [repositoryArn] }),
    );
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['codeartifact:ReadFromRepository'], resources: [packageArn] }));
    // GetAuthorizationToken also needs a bearer token, which IAM scopes by service only.
    project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sts:GetServiceBearerToken'],
      resources: ['*'],
      conditions: { StringEquals: { 'sts:AWSServiceName': 'codeartifact.amazonaws.com' } },
    }));
    if (project.role) {
      Validations.of(project.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'sts:GetServiceBearerToken supports no resource-level permissions; it is limited to CodeArtifact by the sts:AWSServiceName condition.',
      });
    }
  }

  private owner(scope: Construct): string {
    return this.options.domainOwner ?? Stack.of(scope).account;
  }
}
