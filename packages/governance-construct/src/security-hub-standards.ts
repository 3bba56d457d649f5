import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as securityhub from 'aws-cdk-lib/aws-securityhub';
import { Construct, IConstruct } from 'constructs';

/**
 * A Security Hub standard, named by the region-scoped part of its ARN.
 */
export class SecurityHubStandard {
  /** AWS Foundational Security Best Practices v1.0.0. */
  public static readonly FOUNDATIONAL_BEST_PRACTICES = new SecurityHubStandard('aws-foundational-security-best-practices/v/1.0.0');

  /** NIST SP 800-53 Revision 5. */
  public static readonly NIST_800_53_REV5 = new SecurityHubStandard('nist-800-53/v/5.0.0');

  /**
   * Any other region-scoped standard, e.g. `cis-aws-foundations-benchmark/v/3.0.0`.
   *
   * @param standardPath the part of the standards ARN after `standards/`
   */
  public static of(standardPath: string): SecurityHubStandard {
    return new SecurityHubStandard(standardPath);
  }

  /** The part of the standards ARN after `standards/`. */
  public readonly standardPath: string;

  private constructor(standardPath: string) {
    if (!/^[a-z0-9-]+\/v\/[0-9.]+$/.test(standardPath)) {
      throw new Error(`'${standardPath}' is not a standard path such as 'nist-800-53/v/5.0.0'`);
    }
    this.standardPath = standardPath;
  }

  /**
   * The standard's ARN in the partition and region of the scope's stack:
   * `arn:${Partition}:securityhub:${Region}::standards/<path>`.
   */
  public arnFor(scope: IConstruct): string {
    return Stack.of(scope).formatArn({
      service: 'securityhub',
      account: '',
      resource: 'standards',
      resourceName: this.standardPath,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}

/**
 * Properties of {@link SecurityHubStandards}.
 */
export interface SecurityHubStandardsProps {
  /**
   * Whether to enable Security Hub itself. Set to false where Security Hub is
   * already enabled (the hub is one per account and region) and only the
   * standards are missing.
   *
   * @default true
   */
  readonly enableHub?: boolean;

  /**
   * The standards to enable.
   *
   * @default [SecurityHubStandard.FOUNDATIONAL_BEST_PRACTICES, SecurityHubStandard.NIST_800_53_REV5]
   */
  readonly standards?: SecurityHubStandard[];
}

/**
 * Security Hub with the standards the factory reports against, for accounts
 * where it is not on yet. The hub's own default standards are not enabled, so
 * exactly the listed standards run; controls produce one consolidated finding
 * per control across standards.
 */
export class SecurityHubStandards extends Construct {
  /** The hub, when this construct enables it. */
  public readonly hub?: securityhub.CfnHub;

  /** One subscription per enabled standard, in the order given. */
  public readonly standards: securityhub.CfnStandard[] = [];

  constructor(scope: Construct, id: string, props: SecurityHubStandardsProps = {}) {
    super(scope, id);
    if (props.enableHub ?? true) {
      this.hub = new securityhub.CfnHub(this, 'Hub', {
        enableDefaultStandards: false,
        controlFindingGenerator: 'SECURITY_CONTROL',
        autoEnableControls: true,
      });
    }
    const standards = props.standards ?? [SecurityHubStandard.FOUNDATIONAL_BEST_PRACTICES, SecurityHubStandard.NIST_800_53_REV5];
    const seen = new Set<string>();
    for (const standard of standards) {
      if (seen.has(standard.standardPath)) {
        throw new Error(`Security Hub standard '${standard.standardPath}' is listed twice`);
      }
      seen.add(standard.standardPath);
      const subscription = new securityhub.CfnStandard(this, `Standard-${standard.standardPath.replace(/[^A-Za-z0-9]/g, '-')}`, {
        standardsArn: standard.arnFor(this),
      });
      if (this.hub) {
        subscription.node.addDependency(this.hub);
      }
      this.standards.push(subscription);
    }
  }
}
