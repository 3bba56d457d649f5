export { OCSF_CLASSES, OCSF_VERSION, toOcsf, type OcsfEvent } from './ocsf-finding';
export { validateOcsf, type OcsfIssue } from './validate-ocsf';
