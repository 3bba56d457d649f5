// Test helpers of the DevSecOps factory's packages: a private workspace package, a dev dependency only, never packed.
export * from './iam-policies';
export * from './nag';
export * from './readme-examples';
