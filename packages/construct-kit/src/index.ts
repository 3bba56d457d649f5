// Internal to the DevSecOps factory's construct libraries, which bundle this package: not a public API.
export * from './keys/factory-key';
