import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import type { ScanContext } from '../../../src/asff/scan-context';
import { convert } from '../../../src/convert';
import { collect, SCAN } from '../convert-helpers';

/**
 * A Grype and a Trivy report (written for these tests) about the same image:
 * both report CVE-2099-3000 in libfoo 2.0.1-r0 (Grype as a GHSA aliasing the
 * CVE, at High; Trivy as the CVE, at CRITICAL), Grype also CVE-2099-3001 in
 * libbar. Kept out of src/parsers/<tool>/fixtures/, which the parser-wide tests
 * read as that tool's own reports.
 */
export function crossToolFindings(tool: 'grype' | 'trivy', context: Partial<ScanContext> = {}): Promise<AwsSecurityFinding[]> {
  return collect(convert({ tool, input: join(__dirname, `${tool}.json`), context: { ...SCAN, ...context } }));
}
