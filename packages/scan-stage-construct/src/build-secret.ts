import { Arn, ArnFormat, CfnResource, Lazy, Stack, Token, TokenComparison } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * A secret a build reads at run time (a scanner token, an API key). CodeBuild
 * resolves it into an environment variable and masks it in the logs; the
 * value never appears in the template, a URL or a plaintext variable.
 */
export abstract class BuildSecret {
  /**
   * A Secrets Manager secret, or one JSON field of it.
   *
   * @param secret the secret; the build role gets `secretsmanager:GetSecretValue` on it only (and decrypt with its key, when it
   *        has one, through Secrets Manager only)
   * @param jsonField the JSON key holding the value, when the secret is a JSON document
   */
  public static fromSecretsManager(secret: secretsmanager.ISecret, jsonField?: string): BuildSecret {
    return new SecretsManagerBuildSecret(secret, jsonField);
  }

  /**
   * An SSM Parameter Store SecureString, by name (e.g. `/factory/snyk-token`).
   * The build role gets `ssm:GetParameters` on that parameter only.
   */
  public static fromSsmSecureString(parameterName: string): BuildSecret {
    return new SsmBuildSecret(parameterName);
  }

  /** The CodeBuild environment variable (a reference, never the value) that carries this secret. */
  public abstract environmentVariable(): codebuild.BuildEnvironmentVariable;

  /** Lets `grantee` read this secret (and decrypt it with its key). */
  public abstract grantRead(grantee: iam.IGrantable): void;
}

class SecretsManagerBuildSecret extends BuildSecret {
  constructor(private readonly secret: secretsmanager.ISecret, private readonly jsonField?: string) {
    super();
  }

  public grantRead(grantee: iam.IGrantable): void {
    // CodeBuild resolves the variable with GetSecretValue alone: no DescribeSecret (secretsmanager's grantRead).
    // The secret's complete ARN when it is known, otherwise its partial ARN followed by AWS's random suffix
    // (-??????, as aws-cdk-lib's grants write it): that one secret, never a name prefix.
    iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secret.secretFullArn ?? `${this.secret.secretArn}-??????`],
      resource: this.secret,
    });
    const key = this.secret.encryptionKey;
    if (key === undefined) return;
    const viaSecretsManager = `secretsmanager.${this.region()}.amazonaws.com`;
    if (CfnResource.isCfnResource(key.node.defaultChild)) {
      // A key of this app: its key policy gets the grant, as aws-cdk-lib's grantRead does it.
      key.grantDecrypt(new kms.ViaServicePrincipal(viaSecretsManager, grantee.grantPrincipal));
    } else {
      // An imported key has no policy here, and a ViaServicePrincipal grant on it adds nothing to the role.
      grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': viaSecretsManager } },
      }));
    }
  }

  /** The secret's region: the one of its ARN when the ARN is given as text, otherwise its stack's. */
  private region(): string {
    const arn = this.secret.secretArn;
    return (arn.startsWith('arn:') ? Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME).region : undefined) ?? Stack.of(this.secret).region;
  }

  public environmentVariable(): codebuild.BuildEnvironmentVariable {
    const secretId = this.narrowlyGrantedSecretId();
    return {
      type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
      value: this.jsonField ? `${secretId}:${this.jsonField}` : secretId,
    };
  }

  /**
   * The secret's ARN as the variable's secret id. aws-cdk-lib's Project grants GetSecretValue itself for each
   * such variable: on `secret:<name>*` when the value is a literal `arn:` string (every secret whose name starts
   * with that name, e.g. `<name>-old` too), on the value's own ARN when it is a token. The ARN is therefore
   * handed over as a token: that grant is then the complete ARN, or a partial ARN, which names no secret (every
   * secret's ARN ends in its random suffix), so the read of a secret known by name is grantRead's. A secret of
   * another account whose key was not given keeps aws-cdk-lib's grant, with the kms:Decrypt on that account's
   * keys the build needs; cdk-nag reports both wildcards.
   */
  private narrowlyGrantedSecretId(): string {
    const arn = this.secret.secretArn;
    if (!arn.startsWith('arn:')) return arn;
    const account = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME).account;
    const otherAccount = account !== undefined && Token.compareStrings(account, Stack.of(this.secret).account) === TokenComparison.DIFFERENT;
    if (otherAccount && this.secret.encryptionKey === undefined) return arn;
    return Lazy.string({ produce: () => arn });
  }
}

class SsmBuildSecret extends BuildSecret {
  constructor(private readonly parameterName: string) {
    super();
  }

  public grantRead(_grantee: iam.IGrantable): void {
    // aws-cdk-lib already grants ssm:GetParameters on this parameter's ARN to any
    // project with a PARAMETER_STORE variable; SecureStrings under the account's
    // aws/ssm key need no further grant.
  }

  public environmentVariable(): codebuild.BuildEnvironmentVariable {
    return { type: codebuild.BuildEnvironmentVariableType.PARAMETER_STORE, value: this.parameterName };
  }
}
