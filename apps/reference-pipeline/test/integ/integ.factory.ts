/**
 * Integration test of the reference factory. CI runs integ-runner against the
 * committed snapshot (no deployment, no credentials): any change to the
 * synthesized factory shows up as a snapshot diff that must be reviewed and
 * re-recorded. Deployed for real (`integ-runner --force` with credentials), the
 * assertion checks that the pipeline exists with every stage.
 */
import { join } from 'node:path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../../src/config/load';
import { FactoryStack } from '../../src/stacks/factory-stack';

const app = new App();
const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));
const factory = new FactoryStack(app, 'IntegDevSecOpsFactory', { config: { ...config, name: 'integ-devsecops-factory' } });

const integ = new IntegTest(app, 'DevSecOpsFactoryInteg', {
  testCases: [factory],
  // The factory retains audit evidence by design; a real run cleans it up by hand (docs/deploy.md).
  cdkCommandOptions: { destroy: { args: { force: true } } },
});

integ.assertions
  .awsApiCall('CodePipeline', 'getPipeline', { name: factory.pipeline.pipelineName })
  .expect(ExpectedResult.objectLike({
    pipeline: {
      pipelineType: 'V2',
      stages: ['Source', 'SecretScan', 'Scan', 'Publish', 'Staging', 'DAST', 'Approval', 'Production'].map((name) => ({ name })),
    },
  }));

app.synth();
