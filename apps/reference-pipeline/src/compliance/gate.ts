import { App, Validations } from 'aws-cdk-lib';
import { compliancePacks } from './packs';

/**
 * Attaches the compliance packs to the app: synthesis throws on any violation
 * that is neither fixed nor acknowledged with a reason (cdk-nag 3 needs
 * aws-cdk-lib >= 2.262 for the throw).
 */
export function attachComplianceGate(app: App): void {
  Validations.of(app).addPlugins(...compliancePacks(app));
}
