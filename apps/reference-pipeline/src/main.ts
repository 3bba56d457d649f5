import { App } from 'aws-cdk-lib';
import { attachComplianceGate } from './compliance/gate';
import { formatSummary, summarizeCompliance } from './compliance/summary';
import { FactoryStack } from './stacks/factory-stack';

const app = new App();
attachComplianceGate(app);
new FactoryStack(app, 'DevSecOpsFactory', {
  description: 'DevSecOps factory: secure CI/CD pipeline with scanning, Security Hub findings and governance',
});
app.synth();
// Reached only when every pack passed: synth throws on an unacknowledged violation.
console.error(formatSummary(summarizeCompliance(app)));
