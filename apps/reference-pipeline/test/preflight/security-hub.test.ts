import { DescribeHubCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, context } from './support';
import { securityHubCheck } from '../../src/preflight/security-hub';

const securityHub = mockClient(SecurityHubClient);
beforeEach(() => securityHub.reset());

const enableByFactory = (raw: Record<string, any>) => { raw.governance = { enableSecurityHub: true }; };

describe('Security Hub check', () => {
  test('ok when the hub is enabled', async () => {
    securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:aws:securityhub:eu-west-1:111122223333:hub/default' });
    expect(await securityHubCheck.run(context())).toMatchObject({ status: 'ok', detail: 'enabled in eu-west-1' });
  });

  test.each(['InvalidAccessException', 'ResourceNotFoundException'])('blocker with the enable command when DescribeHub answers %s', async (name) => {
    securityHub.on(DescribeHubCommand).rejects(awsError(name));
    const result = await securityHubCheck.run(context());
    expect(result.status).toBe('blocker');
    expect(result.fix).toMatch(/^enable Security Hub: aws securityhub enable-security-hub/);
  });

  test('ok without a hub when the factory enables it itself', async () => {
    securityHub.on(DescribeHubCommand).rejects(awsError('InvalidAccessException'));
    expect((await securityHubCheck.run(context(enableByFactory))).status).toBe('ok');
  });

  test('blocker when the factory would enable a hub that is already on (the stack would fail)', async () => {
    securityHub.on(DescribeHubCommand).resolves({ HubArn: 'arn:aws:securityhub:eu-west-1:111122223333:hub/default' });
    const result = await securityHubCheck.run(context(enableByFactory));
    expect(result.status).toBe('blocker');
    expect(result.fix).toBe('set governance.enableSecurityHub: false');
  });

  test('other errors propagate, so the runner reports that nothing could be checked', async () => {
    securityHub.on(DescribeHubCommand).rejects(awsError('AccessDeniedException'));
    await expect(securityHubCheck.run(context())).rejects.toThrow('AccessDeniedException');
  });
});
