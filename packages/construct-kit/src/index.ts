// Internal to the DevSecOps factory's construct libraries, which bundle this package: not a public API.
export * from './keys/factory-key';
export * from './keys/logs-key-access';
export * from './nag/codebuild-grants';
export * from './nag/pipeline-grants';
export * from './nag/resource-text';
