import { OCSF_CLASSES, type OcsfEvent } from './ocsf-finding';

/** One missing or wrong attribute: its dotted path and what is wrong. */
export interface OcsfIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The attributes OCSF 1.1.0 marks `required` for the two classes and the objects the converter writes, read
 * from the schema's own definitions (ocsf-schema tag v1.1.0: events/base_event.json with
 * includes/classification.json and includes/occurrence.json, events/findings/finding.json,
 * vulnerability_finding.json, profiles/cloud.json, and objects/*.json). Security Lake rejects a custom-source
 * record that lacks one.
 */
const REQUIRED = {
  event: ['activity_id', 'category_uid', 'class_uid', 'type_uid', 'time', 'severity_id', 'metadata', 'finding_info', 'cloud'],
  vulnerabilityFinding: ['vulnerabilities'],
  metadata: ['product', 'version'],
  product: ['vendor_name'],
  findingInfo: ['title', 'uid'],
  analytic: ['type_id'],
  relatedEvent: ['uid'],
  cloud: ['provider'],
  cve: ['uid'],
  cwe: ['uid'],
  cvss: ['base_score', 'version'],
  package: ['name', 'version'],
  remediation: ['desc'],
} as const;

/** Enumerated ids the converter writes, with the values OCSF 1.1.0 defines. */
const ENUMS: Record<string, readonly number[]> = {
  activity_id: [0, 1, 2, 3, 99],
  severity_id: [0, 1, 2, 3, 4, 5, 6, 99],
  status_id: [0, 1, 2, 3, 4, 99],
};

/** Checks one event against OCSF 1.1.0's requirements for its class; an empty list means it conforms. */
export function validateOcsf(event: OcsfEvent): OcsfIssue[] {
  const issues: OcsfIssue[] = [];
  const need = (object: unknown, path: string, names: readonly string[]) => {
    const record = asRecord(object);
    if (record === undefined) {
      issues.push({ path, message: 'must be an object' });
      return;
    }
    for (const name of names) {
      const value = record[name];
      if (value === undefined || value === null || value === '') issues.push({ path: path ? `${path}.${name}` : name, message: 'is required' });
    }
  };
  need(event, '', REQUIRED.event);
  const classUid = event.class_uid;
  if (classUid !== OCSF_CLASSES.vulnerability.uid && classUid !== OCSF_CLASSES.detection.uid) {
    issues.push({ path: 'class_uid', message: `must be ${OCSF_CLASSES.vulnerability.uid} or ${OCSF_CLASSES.detection.uid}` });
  }
  if (event.category_uid !== 2) issues.push({ path: 'category_uid', message: 'must be 2 (Findings)' });
  if (typeof classUid === 'number' && typeof event.activity_id === 'number' && event.type_uid !== classUid * 100 + event.activity_id) {
    issues.push({ path: 'type_uid', message: 'must be class_uid * 100 + activity_id' });
  }
  for (const [name, values] of Object.entries(ENUMS)) {
    if (event[name] !== undefined && !values.includes(event[name] as number)) {
      issues.push({ path: name, message: `must be one of ${values.join(', ')}` });
    }
  }
  if (!isTimestamp(event.time)) issues.push({ path: 'time', message: 'must be a timestamp in milliseconds since the epoch' });
  const metadata = asRecord(event.metadata);
  if (metadata) need(metadata.product, 'metadata.product', REQUIRED.product);
  need(event.metadata, 'metadata', REQUIRED.metadata);
  need(event.cloud, 'cloud', REQUIRED.cloud);
  const info = asRecord(event.finding_info);
  need(info, 'finding_info', REQUIRED.findingInfo);
  if (info?.analytic !== undefined) need(info.analytic, 'finding_info.analytic', REQUIRED.analytic);
  asArray(info?.related_events).forEach((r, i) => need(r, `finding_info.related_events.${i}`, REQUIRED.relatedEvent));
  if (classUid === OCSF_CLASSES.vulnerability.uid) {
    need(event, '', REQUIRED.vulnerabilityFinding);
    if (event.vulnerabilities !== undefined && asArray(event.vulnerabilities).length === 0) {
      issues.push({ path: 'vulnerabilities', message: 'must hold at least one vulnerability' });
    }
  }
  asArray(event.vulnerabilities).forEach((v, i) => checkVulnerability(v, `vulnerabilities.${i}`, need, issues));
  if (event.remediation !== undefined) need(event.remediation, 'remediation', REQUIRED.remediation);
  return issues;
}

type Need = (object: unknown, path: string, names: readonly string[]) => void;

function checkVulnerability(value: unknown, path: string, need: Need, issues: OcsfIssue[]): void {
  const v = asRecord(value);
  if (v === undefined) {
    issues.push({ path, message: 'must be an object' });
    return;
  }
  // The vulnerability object's constraint: at least one of cve and cwe.
  if (v.cve === undefined && v.cwe === undefined) issues.push({ path, message: 'must have a cve or a cwe' });
  if (v.cve !== undefined) {
    need(v.cve, `${path}.cve`, REQUIRED.cve);
    asArray(asRecord(v.cve)?.cvss).forEach((c, i) => need(c, `${path}.cve.cvss.${i}`, REQUIRED.cvss));
  }
  if (v.cwe !== undefined) need(v.cwe, `${path}.cwe`, REQUIRED.cwe);
  asArray(v.affected_packages).forEach((p, i) => need(p, `${path}.affected_packages.${i}`, REQUIRED.package));
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isTimestamp(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
