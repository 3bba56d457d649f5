import { CfnOutput, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FindingsComparison } from '../../src';
import { consoleDomain, encodeFilter, securityHubFindingsUrl } from '../../src/private/security-hub-findings-url';
import { testStack } from '../support/stacks';

/** What the console does: decode the search once, then each filter value once more. */
function decodeSearch(url: string): string[] {
  const search = url.slice(url.indexOf('search=') + 'search='.length);
  return decodeURIComponent(search).split('&').map((filter) => decodeURIComponent(filter));
}

describe('Security Hub findings URL', () => {
  test.each([
    ['aws', 'console.aws.amazon.com'],
    ['aws-us-gov', 'console.amazonaws-us-gov.com'],
    ['aws-cn', 'console.amazonaws.cn'],
  ])('uses the console of the %s partition', (partition, domain) => {
    expect(consoleDomain(partition)).toBe(domain);
  });

  test('refuses an unknown partition rather than guessing a host', () => {
    expect(() => consoleDomain('aws-iso')).toThrow(/no known console/);
  });

  test.each([
    ['eu-west-1', 'https://console.aws.amazon.com/securityhub/home?region=eu-west-1#/findings?search='],
    ['us-gov-west-1', 'https://console.amazonaws-us-gov.com/securityhub/home?region=us-gov-west-1#/findings?search='],
    ['cn-north-1', 'https://console.amazonaws.cn/securityhub/home?region=cn-north-1#/findings?search='],
  ])('links to the findings view of %s on its partition console', (region, prefix) => {
    const url = securityHubFindingsUrl(testStack('111111111111', region), [{ field: 'RecordState', value: 'ACTIVE' }]);
    expect(url.startsWith(prefix)).toBe(true);
  });

  test('looks the console host up in a mapping when the partition is only known at deploy time', () => {
    const stack = new Stack();
    const unresolved = securityHubFindingsUrl(stack, [{ field: 'RecordState', value: 'ACTIVE' }]);
    new CfnOutput(stack, 'FindingsUrl', { value: unresolved });
    new CfnWaitConditionHandle(stack, 'AnyResource');
    const url = stack.resolve(unresolved);
    expect(JSON.stringify(url)).toContain('"Fn::FindInMap":["SecurityHubConsoleDomains",{"Ref":"AWS::Partition"},"domain"]');
    expect(Template.fromStack(stack).toJSON().Mappings.SecurityHubConsoleDomains).toEqual({
      'aws': { domain: 'console.aws.amazon.com' },
      'aws-us-gov': { domain: 'console.amazonaws-us-gov.com' },
      'aws-cn': { domain: 'console.amazonaws.cn' },
    });
  });

  test('encodes filters the way the console reads them', () => {
    expect(encodeFilter({ field: 'RecordState', value: 'ACTIVE' })).toBe('RecordState%3D%255Coperator%255C%253AEQUALS%255C%253AACTIVE');
    const url = securityHubFindingsUrl(testStack(), [
      { field: 'RecordState', value: 'ACTIVE' },
      { field: 'ProductFields', key: 'Commit', value: 'a1b2c3' },
      { field: 'ResourceId', value: 'repo@sha256:ab/c', comparison: FindingsComparison.PREFIX },
    ]);
    expect(decodeSearch(url)).toEqual([
      'RecordState=\\operator\\:EQUALS\\:ACTIVE',
      'ProductFields=\\key\\=Commit\\:\\operator\\:EQUALS\\:a1b2c3',
      'ResourceId=\\operator\\:PREFIX\\:repo@sha256:ab/c',
    ]);
  });

  test('keeps pipeline variables verbatim so CodePipeline substitutes them', () => {
    const encoded = encodeFilter({ field: 'ProductFields', key: 'Commit', value: '#{SourceVariables.CommitId}' });
    expect(encoded.endsWith('%255C%253A#{SourceVariables.CommitId}')).toBe(true);
  });

  test('rejects a field that could break out of the query', () => {
    expect(() => encodeFilter({ field: 'Title&x=', value: 'v' })).toThrow(/not a Security Hub filter field/);
    expect(() => encodeFilter({ field: 'ProductFields', key: 'a=b', value: 'v' })).toThrow(/not a Security Hub filter field/);
  });
});
