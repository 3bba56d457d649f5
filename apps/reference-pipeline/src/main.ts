import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { attachComplianceGate } from './compliance/gate';
import { formatSummary, summarizeCompliance } from './compliance/summary';
import { ConfigError, loadConfig } from './config/load';
import { FactoryStack } from './stacks/factory-stack';

const app = new App();
const configFile = app.node.tryGetContext('config') ?? join(__dirname, '..', 'factory.config.yaml');
let config;
try {
  config = loadConfig(configFile);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
attachComplianceGate(app);
// Environment-agnostic on purpose: partition, account and region resolve at deploy time.
new FactoryStack(app, 'DevSecOpsFactory', {
  description: 'DevSecOps factory: secure CI/CD pipeline with scanning, Security Hub findings and governance',
  config,
});
app.synth();
// Reached only when every pack passed: synth throws on an unacknowledged violation.
console.error(formatSummary(summarizeCompliance(app)));
