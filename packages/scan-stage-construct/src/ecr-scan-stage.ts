import { Duration, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as signer from 'aws-cdk-lib/aws-signer';
import { Construct, IConstruct } from 'constructs';
import { PROVENANCE_PREFIX } from './defaults';
import { ScanStageBase } from './private/scan-stage-base';
import { grantSupplyChainUpload, stageRepository } from './private/supply-chain';
import { ScanStageProps } from './scan-stage-props';

/** How EcrScanStage signs the pushed image and its referrers (opt-in). */
export interface ImageSigningOptions {
  /**
   * An existing AWS Signer signing profile (platform `Notation-OCI-SHA384-ECDSA`) to sign with, e.g. one
   * shared by several pipelines. Deploys verify against this profile.
   *
   * @default - a new profile, `EcrScanStage.signingProfile`
   */
  readonly signingProfileArn?: string;

  /**
   * How long signatures of a new profile stay valid: deploys refuse an image whose signature expired.
   *
   * @default Duration.days(365)
   */
  readonly signatureValidity?: Duration;

  /**
   * Whether this construct creates the registry's signing configuration (`AWS::ECR::SigningConfiguration`,
   * ECR managed signing: ECR signs every image pushed to the repository, with the identity of the pusher).
   * A registry (account and Region) has exactly one signing configuration, so exactly one construct may own
   * it: give `false` to every other EcrScanStage of the registry, or when the registry's configuration is
   * managed elsewhere. Without it the stage signs the image itself with notation and the same profile.
   *
   * @default true
   */
  readonly registrySigningConfiguration?: boolean;

  /**
   * Accounts (e.g. production) that verify the signatures without pulling through `pullAccounts`, e.g.
   * because the repository's policy is managed elsewhere: a signing profile created here lets them read it
   * (`signer:GetSigningProfile`). `pullAccounts` get the same permission.
   *
   * @default - none besides `pullAccounts`
   */
  readonly verifierAccounts?: string[];
}

/** Properties of an {@link EcrScanStage}. */
export interface EcrScanStageProps extends ScanStageProps {
  /** The image tarball that passed ImageScanStage's gate (`ImageScanStage.imageArtifact`). */
  readonly imageArtifact: codepipeline.Artifact;

  /**
   * The ECR repository receiving the image. Scanning is read from the registry scanning
   * configuration (`ecr get-registry-scanning-configuration`): with enhanced scanning the stage
   * waits for Amazon Inspector; with basic scanning it waits for a scan on push of a registry
   * rule and starts a basic scan itself when none registers. Per-repository scan on push is
   * deprecated by ECR and not relied on.
   */
  readonly ecrRepository: ecr.IRepository;

  /**
   * Whether the registry is expected to use enhanced scanning (Amazon Inspector). Informational:
   * the stage reads the registry's scan type when it runs, and always holds
   * `inspector2:ListFindings` (ECR needs it to return enhanced findings), so a registry switched
   * to enhanced scanning does not fail the stage whatever this says.
   *
   * @default false
   */
  readonly enhancedScanning?: boolean;

  /**
   * How long to wait for the ECR scan to complete before failing the stage.
   *
   * @default Duration.minutes(15)
   */
  readonly scanTimeout?: Duration;

  /**
   * Signs the pushed image, its SBOM and its provenance statement with AWS Signer (Notation format). The
   * stage always attaches the SBOM and the provenance to the digest; with signing they are signed too, and
   * `EksDeployStage` can refuse a digest whose signature does not verify against the profile.
   *
   * @default - nothing is signed
   */
  readonly signing?: ImageSigningOptions;

  /**
   * Accounts (e.g. production) whose clusters pull the image and verify its signature: the repository's
   * policy lets them pull (the repository must be defined in this app), and a signing profile created here
   * lets them read it (`signer:GetSigningProfile`). Their own roles also need `ecr:GetAuthorizationToken` and
   * `signer:GetRevocationStatus` (neither has resource-level permissions).
   *
   * @default - none
   */
  readonly pullAccounts?: string[];
}

/**
 * Pushes the scanned image to ECR by digest (never `:latest`; only reached
 * when ImageScanStage's gate passed), waits for the ECR scan (basic or
 * enhanced) with a timeout and gates on its findings. Exports `IMAGE_URI`
 * (`repository@sha256:...`) and `IMAGE_DIGEST` for the deploy stages. No
 * Docker daemon and no privileged mode: crane pushes the tarball.
 */
export class EcrScanStage extends ScanStageBase {
  /**
   * ARN of the signing profile that signs the image and its referrers (pass it to `EksDeployStage`).
   *
   * @default - none without `signing`
   */
  public readonly signingProfileArn?: string;
  /**
   * The signing profile created for `signing` without `signingProfileArn`.
   *
   * @default - none
   */
  public readonly signingProfile?: signer.CfnSigningProfile;
  /**
   * The registry's signing configuration, when this stage owns it (`signing.registrySigningConfiguration`).
   *
   * @default - none
   */
  public readonly signingConfiguration?: ecr.CfnSigningConfiguration;

  constructor(scope: Construct, id: string, props: EcrScanStageProps) {
    const artifactName = props.imageArtifact.artifactName;
    if (!artifactName) {
      throw new Error('EcrScanStage: imageArtifact needs a name (ImageScanStage.imageArtifact has one)');
    }
    const scanTimeout = props.scanTimeout ?? Duration.minutes(15);
    // The signing profile is a child of this stage, so it exists only once the stage (and its project) does: the
    // project's variable takes its ARN when the template is synthesized.
    let signing: SigningParts | undefined;
    super(scope, id, props, {
      buildspec: 'ecr-scan.yml',
      description: 'Push by digest, ECR image scan gated by asff',
      defaultPolicyStage: 'ecr',
      defaultActionName: 'EcrScan',
      defaultTimeout: Duration.minutes(scanTimeout.toMinutes() + 20),
      environmentVariables: {
        ECR_REPOSITORY_URI: { value: props.ecrRepository.repositoryUri },
        ECR_SCAN_TIMEOUT_SECONDS: { value: String(scanTimeout.toSeconds()) },
        IMAGE_ARTIFACT_NAME: { value: artifactName },
        SIGNING_PROFILE_ARN: { value: Lazy.string({ produce: () => signing?.profileArn ?? '' }) },
        IMAGE_SIGNATURE: { value: ownsRegistrySigningConfiguration(props.signing) ? 'managed' : 'notation' },
      },
      // The provenance names the pipeline execution that built the image.
      actionEnvironmentVariables: { PIPELINE_EXECUTION_ID: { value: '#{codepipeline.PipelineExecutionId}' } },
      extraInputs: [props.imageArtifact],
    });
    signing = props.signing === undefined ? undefined : this.createSigning(props, props.signing);
    this.grantRegistryAccess(props);
    grantSupplyChainUpload(
      this.project,
      props.reportsBucket,
      PROVENANCE_PREFIX,
      stageRepository(this, props.sourceRepository),
      'provenance statement',
    );
    if (signing !== undefined) {
      this.signingProfileArn = signing.profileArn;
      this.signingProfile = signing.profile;
      this.signingConfiguration = signing.configuration;
      // Signing a payload (notation, and ECR managed signing with the pusher's identity) and reading the
      // profile, on this one profile.
      this.project.addToRolePolicy(new iam.PolicyStatement({
        actions: ['signer:SignPayload', 'signer:GetSigningProfile'],
        resources: [signing.profileArn],
      }));
    }
    this.grantPullAccounts(props, signing?.profile);
  }

  private createSigning(props: EcrScanStageProps, options: ImageSigningOptions): SigningParts {
    let profile: signer.CfnSigningProfile | undefined;
    let profileArn = options.signingProfileArn;
    if (profileArn !== undefined && !Token.isUnresolved(profileArn) && !SIGNING_PROFILE_ARN.test(profileArn)) {
      throw new Error('signing.signingProfileArn must be an AWS Signer signing profile ARN '
        + `(arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>), got '${profileArn}'`);
    }
    if (profileArn === undefined) {
      const validity = options.signatureValidity ?? Duration.days(365);
      const days = validity.toDays();
      if (days < 1 || days > 135 * 30) {
        throw new Error(`signing.signatureValidity must be between 1 day and 135 months (AWS Signer's limit), got ${days} days`);
      }
      profile = new signer.CfnSigningProfile(this, 'SigningProfile', {
        platformId: 'Notation-OCI-SHA384-ECDSA',
        signatureValidityPeriod: { type: 'DAYS', value: days },
      });
      profileArn = profile.attrArn;
    } else if (options.signatureValidity !== undefined) {
      throw new Error('signing.signatureValidity applies to a new signing profile only; an existing profile (signingProfileArn) keeps its own');
    }
    let configuration: ecr.CfnSigningConfiguration | undefined;
    if (ownsRegistrySigningConfiguration(options)) {
      const owner = registrySigningConfigurationOwner(this);
      if (owner !== undefined) {
        throw new Error(`EcrScanStage ${this.node.path}: ${owner.node.path} already owns this registry's signing configuration `
          + '(one per account and Region); give this stage signing.registrySigningConfiguration: false, '
          + 'it then signs its images itself with the same profile');
      }
      configuration = new ecr.CfnSigningConfiguration(this, 'RegistrySigningConfiguration', {
        rules: [{
          signingProfileArn: profileArn,
          repositoryFilters: [{ filter: props.ecrRepository.repositoryName, filterType: 'WILDCARD_MATCH' }],
        }],
      });
    }
    return { profileArn, profile, configuration };
  }

  private grantPullAccounts(props: EcrScanStageProps, profile: signer.CfnSigningProfile | undefined): void {
    const pullAccounts = props.pullAccounts ?? [];
    const verifiers = [...new Set([...pullAccounts, ...(props.signing?.verifierAccounts ?? [])])];
    for (const account of verifiers) {
      if (!Token.isUnresolved(account) && !/^\d{12}$/.test(account)) {
        throw new Error(`pullAccounts and signing.verifierAccounts entries must be 12-digit account ids, got '${account}'`);
      }
    }
    if (pullAccounts.length > 0) {
      const added = props.ecrRepository.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'PullAndVerifyFromOtherAccounts',
        principals: pullAccounts.map((account) => new iam.AccountPrincipal(account)),
        // Pull an image and its referrers (signatures, SBOM, provenance): nothing else.
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      }));
      if (!added.statementAdded) {
        throw new Error('pullAccounts needs an ecrRepository defined in this app (an imported repository\'s policy cannot be changed here): '
          + 'add the pull statement to its repository policy instead and list the accounts in signing.verifierAccounts');
      }
    }
    if (profile === undefined) return;
    verifiers.forEach((account, index) => {
      // The verifying side reads the profile; its signatures' revocation status is signer:GetRevocationStatus in its own account.
      new signer.CfnProfilePermission(this, `VerifierPermission${index}`, {
        profileName: profile.attrProfileName,
        action: 'signer:GetSigningProfile',
        principal: account,
        statementId: `verify-${Token.isUnresolved(account) ? index : account}`,
      });
    });
  }

  private grantRegistryAccess(props: EcrScanStageProps): void {
    // Registry login and the registry's scanning configuration are account-wide by design:
    // neither action has a resource-level permission.
    this.project.addToRolePolicy(new iam.PolicyStatement({
      actions: ['ecr:GetAuthorizationToken', 'ecr:GetRegistryScanningConfiguration'],
      resources: ['*'],
    }));
    this.project.addToRolePolicy(new iam.PolicyStatement({
      actions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:InitiateLayerUpload',
        'ecr:UploadLayerPart',
        'ecr:CompleteLayerUpload',
        'ecr:PutImage',
        'ecr:BatchGetImage',
        'ecr:DescribeImages',
        'ecr:DescribeImageScanFindings',
        'ecr:StartImageScan',
      ],
      resources: [props.ecrRepository.repositoryArn],
    }));
    // The registry may use enhanced scanning whatever props.enhancedScanning says (it is account
    // configuration): without this, describe-image-scan-findings is denied there.
    this.project.addToRolePolicy(new iam.PolicyStatement({ actions: ['inspector2:ListFindings'], resources: ['*'] }));
    const reasons = [
      'ecr:GetAuthorizationToken (registry login) and ecr:GetRegistryScanningConfiguration (basic or enhanced scanning) '
        + 'have no resource-level permissions',
      'inspector2:ListFindings, read by ECR for enhanced findings, has no resource-level permissions',
    ];
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${reasons.join('; ')}. Every other ECR action is limited to this one repository.`,
    });
  }
}

/** Whether the stage creates the registry's signing configuration (ECR then signs), or signs with notation itself. */
function ownsRegistrySigningConfiguration(signing: ImageSigningOptions | undefined): boolean {
  return signing !== undefined && (signing.registrySigningConfiguration ?? true);
}

/** What `signing` creates or refers to. */
interface SigningParts {
  readonly profileArn: string;
  readonly profile?: signer.CfnSigningProfile;
  readonly configuration?: ecr.CfnSigningConfiguration;
}

/** `arn:<partition>:signer:<region>:<account>:/signing-profiles/<name>` (no profile version). */
const SIGNING_PROFILE_ARN = /^arn:[a-z-]+:signer:[a-z0-9-]+:\d{12}:\/signing-profiles\/[A-Za-z0-9_]{2,64}$/;

/**
 * The construct that already owns the signing configuration of this stack's registry (account and Region),
 * anywhere in the app: CloudFormation would let two stacks fight over the one configuration.
 */
function registrySigningConfigurationOwner(scope: Construct): IConstruct | undefined {
  const stack = Stack.of(scope);
  return scope.node.root.node.findAll().find((node) => node instanceof ecr.CfnSigningConfiguration
    && Stack.of(node).account === stack.account && Stack.of(node).region === stack.region);
}
