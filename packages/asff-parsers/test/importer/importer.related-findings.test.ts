import { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { CORRELATION_PRODUCT_FIELD } from '../../src/asff/correlation';
import { SecurityHubImporter, SecurityHubImporterOptions } from '../../src/importer/importer';
import { crossToolFindings } from '../support/cross-tool';
import { FakeSecurityHub } from '../support/fake-security-hub';
import { ACCOUNT, PRODUCT_ARN, REGION } from '../support/fake-security-hub/sample-findings';

const context = {
  account: ACCOUNT,
  region: REGION,
  repository: 'shop',
  branch: 'main',
  image: 'registry.example.com/shop/api@sha256:5555555555555555555555555555555555555555555555555555555555555555',
};

describe('SecurityHubImporter relates findings of different tools about one vulnerability', () => {
  let fake: FakeSecurityHub;
  let grype: AwsSecurityFinding[];
  let trivy: AwsSecurityFinding[];
  beforeAll(async () => {
    grype = await crossToolFindings('grype', context);
    trivy = await crossToolFindings('trivy', context);
  });
  beforeEach(async () => {
    fake = await FakeSecurityHub.start();
  });
  afterEach(async () => fake.close());

  async function run(findings: AwsSecurityFinding[], scope: string, options: Partial<SecurityHubImporterOptions> = {}) {
    const importer = new SecurityHubImporter({ client: fake.client(), scope, backoff: { baseMs: 5, capMs: 50 }, ...options });
    await importer.import(findings);
    await importer.archiveMissing();
    return importer.summary();
  }
  const stored = (f: AwsSecurityFinding) => fake.store.get(PRODUCT_ARN, f.Id!)!;
  const libfoo = () => grype.find((f) => f.ProductFields?.[CORRELATION_PRODUCT_FIELD] === trivy[0].ProductFields?.[CORRELATION_PRODUCT_FIELD])!;

  test('the finding imported second lists the first; once both tools ran again they list each other', async () => {
    await run(grype, 'shop/main/image/grype');
    expect(stored(libfoo()).RelatedFindings).toBeUndefined();
    const summary = await run(trivy, 'shop/main/image/trivy');
    // One page for the scope, one for the correlation group.
    expect(summary.requests).toBe(1 + 1 + 1);
    expect(stored(trivy[0]).FindingProviderFields.RelatedFindings).toEqual([{ ProductArn: PRODUCT_ARN, Id: libfoo().Id }]);
    expect(stored(trivy[0]).RelatedFindings).toEqual([{ ProductArn: PRODUCT_ARN, Id: libfoo().Id }]);
    await run(grype, 'shop/main/image/grype');
    expect(stored(libfoo()).RelatedFindings).toEqual([{ ProductArn: PRODUCT_ARN, Id: trivy[0].Id }]);
    // The other vulnerability of the Grype report is no other tool's: nothing related.
    expect(stored(grype.find((f) => f !== libfoo())!).RelatedFindings).toBeUndefined();
  });

  test('a fixed (archived) finding of another tool is not related', async () => {
    await run(grype, 'shop/main/image/grype');
    await run([], 'shop/main/image/grype');
    await run(trivy, 'shop/main/image/trivy');
    expect(stored(trivy[0]).RelatedFindings).toBeUndefined();
  });

  test('never lists more than the 10 related findings Security Hub accepts', async () => {
    // 13 runs read 3 pages each: a GetFindings quota above the real 3/s keeps the test short (pacing is tested elsewhere).
    await fake.close();
    const quick = { ratePerSecond: 100, burst: 100 };
    fake = await FakeSecurityHub.start({ getFindingsRate: quick });
    for (let tool = 0; tool < 12; tool++) {
      const copy = grype.map((f) => ({ ...f, Id: `tool-${tool}/${f.Id}` }));
      await run(copy, `shop/main/image/tool-${tool}`, { getFindingsRate: quick });
    }
    await run(trivy, 'shop/main/image/trivy', { getFindingsRate: quick });
    expect(stored(trivy[0]).RelatedFindings).toHaveLength(10);
  });
});
