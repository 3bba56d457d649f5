import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load';

const valid = {
  source: { type: 'codeconnections', connectionArnParameter: '/factory/connection-arn', repository: 'acme/shop', branch: 'main' },
  image: { repositoryName: 'shop' },
  deploy: {
    staging: { clusterName: 'staging', namespace: 'shop' },
    production: { clusterName: 'production', namespace: 'shop' },
  },
  dast: { targetUrl: 'https://staging.shop.test' },
  notifications: { emails: ['team@shop.test'], approverEmails: ['lead@shop.test'] },
};

function write(name: string, content: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'factory-config-')), name);
  writeFileSync(file, content);
  return file;
}

function issues(raw: unknown): string[] {
  try {
    parseConfig(raw, 'factory.config.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  return [];
}

describe('factory configuration', () => {
  test('the committed reference configuration is valid', () => {
    const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));
    expect(config.source.type).toBe('codeconnections');
    expect(config.deploy.staging.clusterName).not.toBe(config.deploy.production.clusterName);
  });

  test('fills secure, documented defaults', () => {
    const config = parseConfig(valid);
    expect(config.policyFile).toBe('.security/policy.yml');
    expect(config.scanners.image.scanner).toBe('grype');
    expect(config.dast.mode).toBe('baseline');
    expect(config.governance).toEqual({ enableSecurityHub: false, enableConfigRecorder: false });
  });

  test('names the file and the field in one line per problem', () => {
    const lines = issues({ ...valid, notifications: { emails: ['not-an-email'], approverEmails: [] } });
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^factory\.config\.yaml: notifications\.emails\.0: /),
      expect.stringMatching(/^factory\.config\.yaml: notifications\.approverEmails: /),
    ]));
  });

  test('rejects unknown keys instead of ignoring a typo', () => {
    expect(issues({ ...valid, dast: { targetURL: 'https://x.test' } }).join('\n')).toMatch(/dast/);
  });

  test('accepts ARNs of every partition and rejects malformed ones', () => {
    for (const partition of ['aws', 'aws-us-gov', 'aws-cn']) {
      const arn = `arn:${partition}:codeconnections:region-1:123456789012:connection/abc`;
      expect(() => parseConfig({ ...valid, source: { ...valid.source, connectionArnParameter: undefined, connectionArn: arn } })).not.toThrow();
    }
    expect(issues({ ...valid, source: { ...valid.source, connectionArnParameter: undefined, connectionArn: 'arn:aws:s3:::bucket' } }).join()).toMatch(/source\.connectionArn/);
  });

  test('requires exactly one way to name the connection', () => {
    expect(issues({ ...valid, source: { ...valid.source, connectionArn: 'arn:aws:codeconnections:r:123456789012:connection/x' } }).join()).toMatch(/exactly one/);
  });

  test('requires a Snyk token secret when Snyk is chosen', () => {
    expect(issues({ ...valid, scanners: { image: { scanner: 'snyk' } } }).join()).toMatch(/scanners\.image\.snykTokenSecretArn: required/);
  });

  test('refuses a production target identical to staging', () => {
    const same = { clusterName: 'one', namespace: 'shop' };
    expect(issues({ ...valid, deploy: { staging: same, production: same } }).join()).toMatch(/deploy\.production: must differ/);
  });

  test('reports unreadable files and bad YAML as one line naming the file', () => {
    expect(() => loadConfig('/nonexistent/factory.yaml')).toThrow(/^\/nonexistent\/factory\.yaml: cannot read: ENOENT$/);
    const bad = write('bad.yaml', 'source: [unclosed\n');
    expect(() => loadConfig(bad)).toThrow(new RegExp(`^${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not valid YAML: `));
  });

  test('resolves the factory policy file relative to the config file, and refuses a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'factory-policy-'));
    writeFileSync(join(dir, 'app.yml'), 'version: 1\ndefault: HIGH\n');
    const config = join(dir, 'factory.yaml');
    writeFileSync(config, JSON.stringify({ ...valid, factoryPolicyFile: 'app.yml' }));
    expect(loadConfig(config).factoryPolicyFile).toBe(join(dir, 'app.yml'));
    writeFileSync(config, JSON.stringify({ ...valid, factoryPolicyFile: 'missing.yml' }));
    expect(() => loadConfig(config)).toThrow(`${config}: factoryPolicyFile: ${join(dir, 'missing.yml')} does not exist`);
  });

  test('generates the repository name unless one is fixed, and imports only a named repository', () => {
    const named = parseConfig({ ...valid, image: { name: 'shop' } }, 'factory.config.yaml');
    expect(named.image.repositoryName).toBeUndefined();
    expect(named.image.importExistingRepository).toBe(false);
    expect(issues({ ...valid, image: {} }).join()).toMatch(/image\.name/);
    expect(issues({ ...valid, image: { name: 'shop', importExistingRepository: true } }).join()).toMatch(/image\.repositoryName.*importExistingRepository/);
    expect(issues({ ...valid, image: { repositoryName: 'shop', importExistingRepository: true } })).toEqual([]);
  });

  test('reads JSON configurations too', () => {
    expect(loadConfig(write('factory.json', JSON.stringify(valid))).image.repositoryName).toBe('shop');
  });
});
