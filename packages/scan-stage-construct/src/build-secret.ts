import { acknowledgeWildcardResource } from '@devsecops-factory/construct-kit';
import { Arn, ArnFormat, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/**
 * A secret a build reads at run time (a scanner token, an API key). CodeBuild
 * resolves it into an environment variable and masks it in the logs; the
 * value never appears in the template, a URL or a plaintext variable.
 */
export abstract class BuildSecret {
  /**
   * A Secrets Manager secret, or one JSON field of it.
   *
   * @param secret the secret; the build role gets read access to it (and to its key)
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
    this.secret.grantRead(grantee);
    const arn = this.secret.secretArn;
    const principal = grantee.grantPrincipal;
    if (Token.isUnresolved(arn) || !(principal instanceof Construct)) return;
    // For a literal ARN, aws-cdk-lib's CodeBuild project adds GetSecretValue on
    // "secret:<name>*" (it cannot know the random suffix was given): one secret's versions.
    const parts = Arn.split(arn, ArnFormat.COLON_RESOURCE_NAME);
    const name = (parts.resourceName ?? '').split(':')[0];
    const resource = `arn:${parts.partition}:secretsmanager:${parts.region}:${parts.account}:secret:${name}*`;
    acknowledgeWildcardResource(principal, resource,
      `aws-cdk-lib's CodeBuild grant for the secret given by ARN (${name}); it matches that secret's name only.`);
  }

  public environmentVariable(): codebuild.BuildEnvironmentVariable {
    return {
      type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER,
      value: this.jsonField ? `${this.secret.secretArn}:${this.jsonField}` : this.secret.secretArn,
    };
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
