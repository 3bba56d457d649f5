import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { combinePolicies, parsePolicy } from '@devsecops-factory/asff-parsers';
import { InSourceSuppressions } from '@devsecops-factory/scan-stage-construct';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, loadFactory } from '../../src/config/load';
import { FactoryStack, findingsSlaOf, processorInSourceSuppressions, repositorySuppressionDays } from '../../src/stacks/factory-stack';
import { SharedStack } from '../../src/stacks/shared-stack';

const repositoryRoot = join(__dirname, '..', '..', '..', '..');
const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));

describe('the sample app policy the reference factory gates on', () => {
  const file = join(repositoryRoot, config.policyFile);
  const policy = parsePolicy(readFileSync(file, 'utf-8'), config.policyFile);

  test('names a threshold for every stage that runs asff gate', () => {
    const template = Template.fromStack(new FactoryStack(new App(), 'Factory', { config }));
    type Variable = { Name: string; Value: string };
    const stageNames = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((project) => (project.Properties.Environment.EnvironmentVariables ?? []) as Variable[])
      // Projects that gate are the ones told where the policy is.
      .filter((variables) => variables.some((v) => v.Name === 'POLICY_FILE'))
      .map((variables) => variables.find((v) => v.Name === 'STAGE_NAME')!.Value);
    expect(stageNames.sort()).toEqual(['code', 'dast', 'ecr', 'image', 'secrets']);
    for (const stage of stageNames) expect(policy.stages[stage] ?? policy.defaultThreshold).toBeDefined();
  });

  test('lets no leaked secret through', () => {
    expect(policy.stages.secrets).toBe('LOW');
  });
});

describe('the factory-owned policy of the sample app', () => {
  const template = Template.fromStack(new FactoryStack(new App(), 'Factory', { config })).toJSON();
  type Variable = { Name: string; Value: unknown };
  const gatingProjects = Object.values<any>(template.Resources)
    .filter((r) => r.Type === 'AWS::CodeBuild::Project')
    .map((project) => (project.Properties.Environment.EnvironmentVariables ?? []) as Variable[])
    .filter((variables) => variables.some((v) => v.Name === 'FACTORY_POLICY_B64'));

  test('is the file the config names, valid, and what every gating stage is given', () => {
    expect(config.factoryPolicyFile).toBe(join(__dirname, '..', '..', 'policies', 'sample-app.yml'));
    const text = readFileSync(config.factoryPolicyFile!, 'utf-8');
    const factory = parsePolicy(text, 'policies/sample-app.yml');
    expect(factory.stages.secrets).toBe('LOW');
    expect(gatingProjects).toHaveLength(5);
    for (const variables of gatingProjects) {
      const value = variables.find((v) => v.Name === 'FACTORY_POLICY_B64')!.Value as string;
      expect(Buffer.from(value, 'base64').toString('utf-8')).toBe(text);
    }
  });

  test('the findings processor applies repository suppressions for no longer than the factory policy allows', () => {
    const fn = Object.values<any>(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.MAX_SUPPRESSION_DAYS,
    );
    expect(fn.Properties.Environment.Variables.MAX_SUPPRESSION_DAYS).toBe('90');
  });

  test('the findings processor counts a finding overdue at the ages the factory policy\'s gate.sla sets', () => {
    const fn = Object.values<any>(template.Resources).find(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.MAX_SUPPRESSION_DAYS,
    );
    const sla = parsePolicy(readFileSync(config.factoryPolicyFile!, 'utf-8'), 'factory').sla!;
    expect(Object.keys(sla).length).toBeGreaterThan(0);
    const hours = Object.fromEntries(Object.entries(sla).map(([severity, limit]) => [severity, limit!.ms / 3_600_000]));
    expect(Object.fromEntries(fn.Properties.Environment.Variables.FINDINGS_SLA.split(',').map((pair: string) => {
      const [severity, h] = pair.split('=');
      return [severity, Number(h.replace(/h$/, ''))];
    }))).toEqual(hours);
  });

  test('the findings processor honours in-source suppressions exactly when the factory policy does', () => {
    const fn = Object.values<any>(template.Resources)
      .find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.MAX_SUPPRESSION_DAYS);
    const factory = parsePolicy(readFileSync(config.factoryPolicyFile!, 'utf-8'), 'factory');
    expect(fn.Properties.Environment.Variables.IN_SOURCE_SUPPRESSIONS).toBe(factory.inSourceSuppressions ?? 'ignore');
  });

  test('the app\'s own policy cannot loosen it: every stage of the app is at least as strict', () => {
    const factory = parsePolicy(readFileSync(config.factoryPolicyFile!, 'utf-8'), 'factory');
    const own = parsePolicy(readFileSync(join(repositoryRoot, config.policyFile), 'utf-8'), config.policyFile);
    const combined = combinePolicies(factory, own, new Date());
    expect(combined.policy.stages).toEqual(factory.stages);
  });
});

describe('repositorySuppressionDays', () => {
  test.each([
    ['version: 1\ndefault: HIGH\n', 90],
    ['version: 1\ndefault: HIGH\nrepository:\n  maxSuppressionDays: 14\n', 14],
    ['version: 1\ndefault: HIGH\nrepository:\n  suppressions: false\n  maxSuppressionDays: 14\n', 0],
  ])('reads %j as %d days', (policy, days) => {
    expect(repositorySuppressionDays(policy)).toBe(days);
  });
});

describe('findingsSlaOf', () => {
  const policy = (sla: string) => `version: 1\ndefault: HIGH\n${sla ? `gate:\n  sla:\n${sla}` : ''}`;

  test('is undefined when no policy sets an SLA: the processor counts nothing as overdue', () => {
    expect(findingsSlaOf([policy('')])).toBeUndefined();
  });

  test('takes each severity\'s shortest limit across the applications\' policies, in hours', () => {
    const sla = findingsSlaOf([policy('    CRITICAL: 7d\n    HIGH: 30d\n'), policy('    CRITICAL: 36h\n    LOW: 180d\n')])!;
    expect(Object.fromEntries(Object.entries(sla).map(([severity, d]) => [severity, d.toHours()]))).toEqual({ CRITICAL: 36, HIGH: 720, LOW: 4320 });
  });

  test('names the policy that does not parse', () => {
    expect(() => findingsSlaOf([policy(''), 'version: 1\ngate:\n  sla:\n    CRITICAL: soon\n'])).toThrow(/factory policy 2/);
  });
});

describe('processorInSourceSuppressions', () => {
  const policy = (setting?: string) => `version: 1\ndefault: HIGH\n${setting ? `gate:\n  inSourceSuppressions: ${setting}\n` : ''}`;

  test('honours only when every application\'s factory policy honours: one that ignores, or says nothing, wins', () => {
    expect(processorInSourceSuppressions([policy('honour')])).toBe(InSourceSuppressions.HONOUR);
    expect(processorInSourceSuppressions([policy('honour'), policy('honour')])).toBe(InSourceSuppressions.HONOUR);
    expect(processorInSourceSuppressions([policy('honour'), policy('ignore')])).toBe(InSourceSuppressions.IGNORE);
    expect(processorInSourceSuppressions([policy('ignore'), policy('honour')])).toBe(InSourceSuppressions.IGNORE);
    expect(processorInSourceSuppressions([policy('honour'), policy()])).toBe(InSourceSuppressions.IGNORE);
    expect(processorInSourceSuppressions([])).toBe(InSourceSuppressions.IGNORE);
  });

  test('names the policy that does not parse', () => {
    expect(() => processorInSourceSuppressions([policy('honour'), policy('sometimes')])).toThrow(/factory policy 2/);
  });

  describe('in a factory of several applications, the shared findings processor', () => {
    const directory = mkdtempSync(join(tmpdir(), 'in-source-'));
    afterAll(() => rmSync(directory, { recursive: true, force: true }));
    const definition = loadFactory(join(__dirname, '..', '..', 'examples', 'three-applications.config.yaml'));
    /** The processor's setting when each application's factory policy says `settings[i]`. */
    const processorSetting = (...settings: string[]) => {
      const applications = definition.applications.map((application, index) => {
        const file = join(directory, `${settings.join('-')}-${index}.yml`);
        writeFileSync(file, policy(settings[index]));
        return { ...application, config: { ...application.config, factoryPolicyFile: file } };
      });
      const stack = new SharedStack(new App(), 'Shared', { definition: { ...definition, applications } });
      const fn = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
        .find((r) => r.Properties.Environment?.Variables?.MAX_SUPPRESSION_DAYS);
      return fn.Properties.Environment.Variables.IN_SOURCE_SUPPRESSIONS;
    };

    test('ignores them when one application\'s policy honours them and another\'s ignores them', () => {
      expect(definition.applications).toHaveLength(3);
      expect(processorSetting('honour', 'ignore', 'honour')).toBe('ignore');
    });

    test('honours them when every application\'s policy does', () => {
      expect(processorSetting('honour', 'honour', 'honour')).toBe('honour');
    });
  });
});
