import { buildFinding, productArn } from '../../src/asff/builder';
import { validateFinding } from '../../src/asff/validate';
import { SCAN } from '../support/convert-helpers';
import { draft } from '../support/drafts';

const TOOL = { id: 'example', displayName: 'Example Scanner' };


describe('buildFinding', () => {
  test.each([
    ['aws', 'us-east-1'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-northwest-1'],
  ] as const)('ProductArn and resource partition follow the %s partition', (partition, region) => {
    const finding = buildFinding(draft(), TOOL, { ...SCAN, partition, region });
    expect(finding.ProductArn).toBe(`arn:${partition}:securityhub:${region}:123456789012:product/123456789012/default`);
    expect(finding.ProductArn).toBe(productArn({ account: '123456789012', region, partition }));
    expect(finding.Resources![0]).toMatchObject({ Partition: partition, Region: region });
    expect(validateFinding(finding)).toEqual([]);
  });

  test('fills the fields Security Hub requires and keeps provider fields in FindingProviderFields', () => {
    const finding = buildFinding(draft(), TOOL, SCAN);
    expect(finding).toMatchObject({
      SchemaVersion: '2018-10-08',
      GeneratorId: 'example/EX-1',
      AwsAccountId: '123456789012',
      CreatedAt: '2026-01-02T03:04:05.000Z',
      UpdatedAt: '2026-01-02T03:04:05.000Z',
      Severity: { Label: 'HIGH', Original: 'high' },
      FindingProviderFields: { Severity: { Label: 'HIGH', Original: 'high' }, Types: ['Software and Configuration Checks/Vulnerabilities/Code'] },
      RecordState: 'ACTIVE',
      ProductName: 'Example Scanner',
    });
    expect(finding.ProductFields).toMatchObject({
      Tool: 'example',
      RuleId: 'EX-1',
      Repository: 'example-repo',
      Branch: 'main',
      Commit: SCAN.commit,
      BuildId: 'build:1',
    });
    expect(finding.Workflow).toBeUndefined();
  });

  test('the Id ignores commit, build and time but not repository, branch, rule or location', () => {
    const id = buildFinding(draft(), TOOL, SCAN).Id;
    expect(buildFinding(draft(), TOOL, { ...SCAN, commit: 'f'.repeat(40), buildId: 'build:99', now: new Date(0) }).Id).toBe(id);
    expect(buildFinding(draft(), TOOL, { ...SCAN, branch: 'develop' }).Id).not.toBe(id);
    expect(buildFinding(draft(), TOOL, { ...SCAN, repository: 'other' }).Id).not.toBe(id);
    expect(buildFinding(draft({ ruleId: 'EX-2' }), TOOL, SCAN).Id).not.toBe(id);
    expect(buildFinding(draft({ locationKey: 'src/app.ts:11' }), TOOL, SCAN).Id).not.toBe(id);
    expect(buildFinding(draft(), { ...TOOL, id: 'other' }, SCAN).Id).not.toBe(id);
  });

  test('a new tag or digest of the same image repository keeps the Id', () => {
    const a = buildFinding(draft(), TOOL, { ...SCAN, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0' }).Id;
    const b = buildFinding(draft(), TOOL, { ...SCAN, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:abc' }).Id;
    const other = buildFinding(draft(), TOOL, { ...SCAN, image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/other:1.0' }).Id;
    expect(a).toBe(b);
    expect(other).not.toBe(a);
  });

  test('a draft without resources is about the scanned image, else the repository', () => {
    expect(buildFinding(draft({ resources: [] }), TOOL, { ...SCAN, image: 'registry.example/app@sha256:1' }).Resources).toEqual([
      {
        Type: 'Container',
        Id: 'registry.example/app@sha256:1',
        Partition: 'aws',
        Region: 'eu-west-1',
        Details: { Container: { ImageName: 'registry.example/app@sha256:1' } },
      },
    ]);
    expect(buildFinding(draft({ resources: [] }), TOOL, SCAN).Resources).toEqual([
      { Type: 'Other', Id: 'example-repo', Partition: 'aws', Region: 'eu-west-1' },
    ]);
  });

  test('closed findings are ARCHIVED, suppressed ones say why and where, aws/ keys are moved out of the reserved prefix', () => {
    const suppressed = { reason: 'accepted risk', kind: 'external' } as const;
    const finding = buildFinding(draft({ closed: true, suppressed, productFields: { 'aws/securityhub/Foo': 'x' } }), TOOL, SCAN);
    expect(finding.RecordState).toBe('ARCHIVED');
    expect(finding.ProductFields?.Suppressed).toBe('accepted risk');
    expect(finding.ProductFields?.SuppressionKind).toBe('external');
    expect(finding.ProductFields?.['tool/aws/securityhub/Foo']).toBe('x');
    expect(validateFinding(finding)).toEqual([]);
  });

  test('a report cannot mark its finding suppressed, or its suppression external, through the tool\'s own fields', () => {
    const forged = { Suppressed: 'false positive', SuppressionKind: 'external' };
    expect(buildFinding(draft({ productFields: forged }), TOOL, SCAN).ProductFields).not.toHaveProperty('Suppressed');
    const inSource = buildFinding(draft({ suppressed: { reason: 'nosemgrep', kind: 'inSource' }, productFields: forged }), TOOL, SCAN);
    expect(inSource.ProductFields).toMatchObject({ Suppressed: 'nosemgrep', SuppressionKind: 'inSource' });
  });

  test('blank titles and descriptions fall back to something readable', () => {
    const finding = buildFinding(draft({ title: '  ', description: '' }), TOOL, SCAN);
    expect(finding.Title).toBe('EX-1');
    expect(finding.Description).toBe('EX-1');
  });
});
