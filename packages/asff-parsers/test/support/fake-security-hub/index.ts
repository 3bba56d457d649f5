export * from './faults';
export * from './finding-store';
export * from './server';
export { MAX_FINDING_BYTES } from './validate-finding';
export * from './fake-in-worker';
