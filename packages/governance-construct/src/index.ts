export * from './audit-trail';
export * from './compliance-rules';
export * from './config-recorder';
export * from './factory-activity-alarms';
export * from './factory-event-rules';
export * from './factory-notifications';
export * from './pipeline-governance';
export * from './security-hub-standards';
