import { Fn, Stack, StackProps } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { addApplicationPipeline } from './application-pipeline';
import { SharedStack } from './shared-stack';
import { FactoryApplication } from '../config/load';
import { ApplicationNotifications } from '../constructs/application-notifications';
import { ArtifactStore } from '../constructs/artifact-store';

export interface ApplicationStackProps extends StackProps {
  readonly application: FactoryApplication;
  readonly shared: SharedStack;
}

/**
 * One application of a multi-application factory: its pipeline, image
 * repository, artifact bucket and key, and its team's notifications. Its
 * builds write reports to the shared bucket under `raw/<application>/<repository>/`
 * only, and read none.
 */
export class ApplicationStack extends Stack {
  public readonly artifacts: ArtifactStore;
  public readonly pipeline: codepipeline.Pipeline;
  public readonly notifications: ApplicationNotifications;

  constructor(scope: Construct, id: string, props: ApplicationStackProps) {
    super(scope, id, props);
    const { application, shared } = props;
    // Its own key and artifact bucket: one application's pipeline cannot read another's source or image.
    this.artifacts = new ArtifactStore(this, 'ArtifactStore');
    this.addStackDependency(shared);
    // Imported by export name rather than referenced: the IAM acknowledgements of each stage's own report prefix
    // are then written in the same terms cdk-nag reads the deployed policy in (Fn::ImportValue).
    const exports = shared.reportsExports;
    const reportsBucket = s3.Bucket.fromBucketAttributes(this, 'ReportsBucket', {
      bucketArn: Fn.importValue(exports.bucketArn),
      encryptionKey: kms.Key.fromKeyArn(this, 'ReportsKey', Fn.importValue(exports.keyArn)),
    });
    const built = addApplicationPipeline(this, {
      config: application.config,
      reportsRepository: application.reportsRepository,
      artifacts: this.artifacts,
      reportsBucket,
      network: shared.network,
    });
    this.pipeline = built.pipeline;
    this.notifications = new ApplicationNotifications(this, 'Notifications', {
      pipeline: this.pipeline,
      roles: built.roles,
      emails: application.config.notifications.emails,
      encryptionKey: this.artifacts.key,
    });
  }
}
