import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FeedbackProvider, SastTool, ZapScanType } from '@devsecops-factory/scan-stage-construct';
import { ConfigError, configFileFromEnvironment, loadConfig, loadFactory, parseConfig, parseFactory } from '../../src/config/load';

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
    expect(issues({ ...valid, source: { ...valid.source, connectionArnParameter: undefined, connectionArn: 'arn:aws:s3:::bucket' } }).join()).toMatch(
      /source\.connectionArn/,
    );
  });

  test('requires exactly one way to name the connection', () => {
    expect(issues({ ...valid, source: { ...valid.source, connectionArn: 'arn:aws:codeconnections:r:123456789012:connection/x' } }).join()).toMatch(
      /exactly one/,
    );
  });

  test('offers exactly the SAST tools, ZAP scan types and feedback providers the constructs take, as their enum values', () => {
    const token = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:factory/token-AbCdEf';
    for (const sast of Object.values(SastTool)) {
      const scanners = { code: { sast }, image: { scanner: 'grype', snykTokenSecretArn: token } };
      expect(parseConfig({ ...valid, scanners }).scanners.code.sast).toBe(sast);
    }
    for (const mode of Object.values(ZapScanType)) {
      expect(parseConfig({ ...valid, dast: { ...valid.dast, mode, apiDefinition: 'openapi.json' } }).dast.mode).toBe(mode);
    }
    for (const provider of Object.values(FeedbackProvider)) {
      const pullRequests = { enabled: true, feedback: { provider, tokenSecretArn: token } };
      expect(parseConfig({ ...valid, pullRequests }).pullRequests?.feedback?.provider).toBe(provider);
    }
    expect(issues({ ...valid, scanners: { code: { sast: 'codeql' } } }).join())
      .toMatch(/scanners\.code\.sast: Invalid option: expected one of "semgrep"\|"bandit"\|"snyk-code"/);
    expect(issues({ ...valid, dast: { ...valid.dast, mode: 'ajax' } }).join())
      .toMatch(/dast\.mode: Invalid option: expected one of "baseline"\|"full"\|"api"/);
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
    expect(issues({ ...valid, image: { name: 'shop', importExistingRepository: true } }).join()).toMatch(
      /image\.repositoryName.*importExistingRepository/,
    );
    expect(issues({ ...valid, image: { repositoryName: 'shop', importExistingRepository: true } })).toEqual([]);
  });

  test('reads JSON configurations too', () => {
    expect(loadConfig(write('factory.json', JSON.stringify(valid))).image.repositoryName).toBe('shop');
  });
});

describe('factory configuration with applications:', () => {
  const { name: _name, ...application } = { name: undefined, ...valid };
  const multi = (applications: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    name: 'acme', notifications: { emails: ['platform@shop.test'] }, applications, ...extra,
  });
  const problems = (raw: unknown): string[] => {
    try {
      parseFactory(raw, 'factory.config.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message.split('\n');
    }
    return [];
  };

  test('the committed three-application example is valid, one pipeline per application in its own stack', () => {
    const factory = loadFactory(join(__dirname, '..', '..', 'examples', 'three-applications.config.yaml'));
    expect(factory.layout).toBe('per-application');
    expect(factory.applications.map((a) => a.name)).toEqual(['shop', 'billing-api', 'billing-worker']);
    expect(factory.applications.map((a) => a.config.name)).toEqual(['acme-factory-shop', 'acme-factory-billing-api', 'acme-factory-billing-worker']);
    // Two applications of one repository still get prefixes of their own.
    expect(factory.applications.map((a) => a.reportsRepository)).toEqual([
      'shop/example-org/shop',
      'billing-api/payments',
      'billing-worker/payments',
    ]);
    expect(factory.applications[0].config.factoryPolicyFile).toBe(join(__dirname, '..', '..', 'policies', 'sample-app.yml'));
  });

  test('reads today\'s single-application file as one application in one stack, its reports under the repository as before', () => {
    const factory = loadFactory(join(__dirname, '..', '..', 'factory.config.yaml'));
    expect(factory.layout).toBe('single');
    expect(factory.applications).toHaveLength(1);
    expect(factory.applications[0].config.name).toBe('devsecops-factory');
    expect(factory.applications[0].reportsRepository).toBe('example-org/devsecops-factory');
  });

  test('gives each application the factory\'s governance and network', () => {
    const factory = parseFactory(multi({ shop: application }, { network: {}, governance: { enableSecurityHub: true } }));
    expect(factory.applications[0].config.governance.enableSecurityHub).toBe(true);
    expect(factory.applications[0].config.network).toEqual({ cidr: '10.64.0.0/20', maxAzs: 2, createEndpoints: true, excludeEndpoints: [] });
  });

  const badNames = ['Shop', 'shop_1', 'shop--x', 'shop-', '1shop', 's', 'a'.repeat(32)];
  test.each(badNames)('refuses the application name %j in one line naming the file and the key', (bad) => {
    expect(problems(multi({ [bad]: application }))).toEqual([
      `factory.config.yaml: applications.${bad}: application names are 2-31 lower-case letters, digits and single hyphens, starting with a letter`,
    ]);
  });

  test('names the application of a problem in its settings', () => {
    expect(problems(multi({ shop: { ...application, dast: { targetUrl: 'ftp://x.test' } } }))).toEqual([
      expect.stringMatching(/^factory\.config\.yaml: applications\.shop\.dast\.targetUrl: /),
    ]);
  });

  test('tells where single-application settings go when they sit next to applications:', () => {
    expect(problems(multi({ shop: application }, { source: valid.source }))).toEqual([
      'factory.config.yaml: source: with applications: every application\'s settings go under applications.<name>.source (move them there)',
    ]);
  });

  test('refuses an empty applications: and a fixed repository name two applications share', () => {
    expect(problems(multi({}))).toEqual(['factory.config.yaml: applications: give at least one application']);
    expect(problems(multi({ shop: application, shop2: application }))).toEqual([
      "factory.config.yaml: applications.shop2.image.repositoryName: 'shop' is already the repository of application shop",
    ]);
  });

  test('lets the single-application loader refuse a multi-application file with a one-line pointer', () => {
    expect(() => loadConfig(join(__dirname, '..', '..', 'examples', 'three-applications.config.yaml')))
      .toThrow(/three-applications\.config\.yaml: applications: this file describes several applications; read it with loadFactory and pick one$/);
  });

  test('takes the file from FACTORY_CONFIG, resolved from where npm was started, else the default', () => {
    expect(configFileFromEnvironment({ FACTORY_CONFIG: 'examples/x.yaml' }, '/default.yaml')).toBe(join(process.cwd(), 'examples', 'x.yaml'));
    expect(configFileFromEnvironment({ FACTORY_CONFIG: 'apps/x.yaml', INIT_CWD: '/home/me/factory' }, '/default.yaml')).toBe(
      '/home/me/factory/apps/x.yaml',
    );
    expect(configFileFromEnvironment({ FACTORY_CONFIG: '/abs/x.yaml', INIT_CWD: '/home/me' }, '/default.yaml')).toBe('/abs/x.yaml');
    expect(configFileFromEnvironment({ FACTORY_CONFIG: ' ' }, '/default.yaml')).toBe('/default.yaml');
    expect(configFileFromEnvironment({}, '/default.yaml')).toBe('/default.yaml');
  });
});

describe('factory configuration network:', () => {
  test('defaults to a new VPC with every endpoint', () => {
    expect(parseConfig({ ...valid, network: {} }).network).toEqual({ cidr: '10.64.0.0/20', maxAzs: 2, createEndpoints: true, excludeEndpoints: [] });
  });

  test('takes an existing VPC by ids, one subnet and route table per zone', () => {
    const existingVpc = {
      vpcId: 'vpc-0123456789abcdef0',
      cidrBlock: '10.1.0.0/16',
      availabilityZones: ['us-gov-west-1a', 'us-gov-west-1b'],
      subnetIds: ['subnet-01234567', 'subnet-89abcdef'],
      routeTableIds: ['rtb-01234567', 'rtb-89abcdef'],
    };
    expect(parseConfig({ ...valid, network: { existingVpc } }).network?.existingVpc).toEqual(existingVpc);
    expect(issues({ ...valid, network: { existingVpc: { ...existingVpc, routeTableIds: ['rtb-01234567'] } } }).join()).toMatch(
      /network\.existingVpc.*(one subnetId|Too small)/,
    );
  });

  test('refuses an endpoint name it does not know', () => {
    expect(issues({ ...valid, network: { excludeEndpoints: ['s4'] } }).join()).toMatch(/network\.excludeEndpoints\.0/);
  });

  test('reaches a private cluster endpoint only from the factory network', () => {
    const deploy = { ...valid.deploy, production: { ...valid.deploy.production, privateEndpoint: true } };
    expect(issues({ ...valid, deploy })).toEqual([
      "factory.config.yaml: deploy.production.privateEndpoint: needs the factory's private network: add network: (docs/private-network.md)",
    ]);
    expect(issues({ ...valid, deploy, network: {} })).toEqual([]);
    const group = { ...valid.deploy, staging: { ...valid.deploy.staging, clusterSecurityGroupId: 'sg-0123456789abcdef0' } };
    expect(issues({ ...valid, deploy: group, network: {} }).join()).toMatch(
      /deploy\.staging\.clusterSecurityGroupId: only used with privateEndpoint: true/,
    );
  });
});
