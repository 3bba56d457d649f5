import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { convert } from '../../src/convert';
import { memorySource } from '../../src/streams/report-source';
import { fixture, fixtureCases, fixtureText, SCAN } from '../support/convert-helpers';

// The image scanners file the scanned image as one Container resource (src/parsers/container-image.ts), named by
// the `--image` reference and carrying it as Details.Container.ImageName, which Security Hub filters on.
const IMAGE = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/shop@sha256:' + 'ab'.repeat(32);
const IMAGE_SCANNERS = ['anchore', 'clair', 'clamav', 'cyclonedx', 'ecr', 'grype', 'osv-scanner', 'sbom-licenses', 'snyk', 'trivy'];

/** The fixture, except for ECR: its reports name the image in the registry, which becomes an AwsEcrContainerImage. */
function report(tool: string, name: string): string | AsyncIterable<Buffer> {
  if (tool !== 'ecr') return fixture(tool, name);
  const { registryId: _, ...withoutRegistry } = JSON.parse(fixtureText(tool, name));
  return memorySource(JSON.stringify(withoutRegistry));
}

async function findingsOf(tool: string, name: string): Promise<AwsSecurityFinding[]> {
  const findings: AwsSecurityFinding[] = [];
  try {
    for await (const finding of convert({ tool, input: report(tool, name), context: { ...SCAN, image: IMAGE } })) findings.push(finding);
  } catch {
    return []; // a fixture of a malformed report: its own parser test covers the error
  }
  return findings;
}

test.each(IMAGE_SCANNERS)('%s files the scanned image as a Container resource with its ImageName', async (tool) => {
  const containers = [];
  for (const [, name] of fixtureCases().filter(([t]) => t === tool)) {
    for (const finding of await findingsOf(tool, name)) {
      containers.push(...(finding.Resources ?? []).filter((resource) => resource.Type === 'Container' && resource.Id === IMAGE));
    }
  }
  expect(containers.length).toBeGreaterThan(0);
  for (const container of containers) expect(container.Details).toEqual({ Container: { ImageName: IMAGE } });
});
