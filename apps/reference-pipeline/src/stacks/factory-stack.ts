import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ArtifactStore } from '../constructs/artifact-store';

export interface FactoryStackProps extends StackProps {}

/** The DevSecOps factory: pipeline, scan stages, findings processor and governance. */
export class FactoryStack extends Stack {
  public readonly artifacts: ArtifactStore;

  constructor(scope: Construct, id: string, props: FactoryStackProps = {}) {
    super(scope, id, props);
    this.artifacts = new ArtifactStore(this, 'ArtifactStore');
  }
}
