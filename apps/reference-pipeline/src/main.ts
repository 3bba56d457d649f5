import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { attachComplianceGate } from './compliance/gate';
import { formatSummary, summarizeCompliance } from './compliance/summary';
import { ConfigError, configFileFromEnvironment, loadFactory } from './config/load';
import { addFactoryStacks } from './factory-app';

const app = new App();
// FACTORY_CONFIG=<path> picks the configuration (`--context config=<path>` too); default: this app's own.
const configFile = app.node.tryGetContext('config') ?? configFileFromEnvironment(process.env, join(__dirname, '..', 'factory.config.yaml'));
let definition;
try {
  definition = loadFactory(configFile);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
attachComplianceGate(app);
// Environment-agnostic on purpose: partition, account and region resolve at deploy time.
addFactoryStacks(app, definition);
app.synth();
// Reached only when every pack passed: synth throws on an unacknowledged violation.
console.error(formatSummary(summarizeCompliance(app)));
