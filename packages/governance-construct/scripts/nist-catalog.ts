/**
 * NIST SP 800-53 rev5 control families, in the order the publication lists
 * them; the generated document follows this order.
 */
export const FAMILIES: ReadonlyArray<readonly [string, string]> = [
  ['AC', 'Access Control'],
  ['AT', 'Awareness and Training'],
  ['AU', 'Audit and Accountability'],
  ['CA', 'Assessment, Authorization, and Monitoring'],
  ['CM', 'Configuration Management'],
  ['CP', 'Contingency Planning'],
  ['IA', 'Identification and Authentication'],
  ['IR', 'Incident Response'],
  ['MA', 'Maintenance'],
  ['MP', 'Media Protection'],
  ['PE', 'Physical and Environmental Protection'],
  ['PL', 'Planning'],
  ['PM', 'Program Management'],
  ['PS', 'Personnel Security'],
  ['PT', 'PII Processing and Transparency'],
  ['RA', 'Risk Assessment'],
  ['SA', 'System and Services Acquisition'],
  ['SC', 'System and Communications Protection'],
  ['SI', 'System and Information Integrity'],
  ['SR', 'Supply Chain Risk Management'],
];

/**
 * Titles of the controls the factory's packages declare. A declared control
 * missing here is still accepted (the document then shows its id only); add
 * its title when you declare it.
 */
export const CONTROL_TITLES: Readonly<Record<string, string>> = {
  'AC-3': 'Access Enforcement',
  'AC-6': 'Least Privilege',
  'AC-6(9)': 'Log Use of Privileged Functions',
  'AU-2': 'Event Logging',
  'AU-3': 'Content of Audit Records',
  'AU-5': 'Response to Audit Logging Process Failures',
  'AU-6': 'Audit Record Review, Analysis, and Reporting',
  'AU-9': 'Protection of Audit Information',
  'AU-9(3)': 'Cryptographic Protection',
  'AU-11': 'Audit Record Retention',
  'AU-12': 'Audit Record Generation',
  'CA-2': 'Control Assessments',
  'CA-7': 'Continuous Monitoring',
  'CM-2': 'Baseline Configuration',
  'CM-3': 'Configuration Change Control',
  'CM-6': 'Configuration Settings',
  'CM-7': 'Least Functionality',
  'CM-8': 'System Component Inventory',
  'CM-14': 'Signed Components',
  'CP-10': 'System Recovery and Reconstitution',
  'IA-5': 'Authenticator Management',
  'IA-5(7)': 'No Embedded Unencrypted Static Authenticators',
  'IR-6': 'Incident Reporting',
  'RA-5': 'Vulnerability Monitoring and Scanning',
  'SA-11': 'Developer Testing and Evaluation',
  'SA-11(1)': 'Static Code Analysis',
  'SA-11(8)': 'Dynamic Code Analysis',
  'SC-8': 'Transmission Confidentiality and Integrity',
  'SC-12': 'Cryptographic Key Establishment and Management',
  'SC-28': 'Protection of Information at Rest',
  'SI-3': 'Malicious Code Protection',
  'SI-4': 'System Monitoring',
  'SI-4(5)': 'System-generated Alerts',
  'SI-7': 'Software, Firmware, and Information Integrity',
  'SI-7(6)': 'Cryptographic Protection',
  'SI-7(15)': 'Code Authentication',
  'SI-10': 'Information Input Validation',
  'SR-4': 'Provenance',
  'SR-4(3)': 'Validate as Genuine and Not Altered',
};
