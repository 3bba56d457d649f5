import { join } from 'node:path';
import type { AwsSecurityFinding } from '@aws-sdk/client-securityhub';
import { convert, type ScanContext } from '@devsecops-factory/asff-parsers';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../src/config/load';
import { FactoryStack } from '../../src/stacks/factory-stack';

/*
 * The approval mail links to the Security Hub findings of the build being promoted. These tests read the link out
 * of the synthesized pipeline, decode its filters, and apply them to findings converted by the real ASFF builder
 * from one report per scanning stage, with the scan context those stages' buildspecs pass to `asff convert`.
 */

const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));
const parsers = join(__dirname, '..', '..', '..', '..', 'packages', 'asff-parsers', 'src', 'parsers');
const ENV = { account: '111122223333', region: 'eu-west-1' };
const COMMIT = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const OTHER_COMMIT = '1111111111111111111111111111111111111111';
const IMAGE = `${ENV.account}.dkr.ecr.${ENV.region}.amazonaws.com/sample-app@sha256:${'b'.repeat(64)}`;
/** What CodePipeline substitutes into the link when this build reaches the approval. */
const PIPELINE_VARIABLES: Record<string, string> = {
  '#{Source.CommitId}': COMMIT,
  '#{Publish.IMAGE_DIGEST}': `sha256:${'b'.repeat(64)}`,
};
/** A part of the link CloudFormation resolves at deploy time: the test cannot know it, so no finding matches it. */
const DEPLOY_TIME = '\u0000deploy-time\u0000';

/** One report per scanning stage (a fixture of its parser, src/parsers/<tool>/fixtures/); the ECR and image stages know the image, the others do not. */
const STAGES: readonly { stage: string; tool: string; report: string; image?: string }[] = [
  { stage: 'secrets', tool: 'git-secrets', report: 'scan.txt' },
  { stage: 'code', tool: 'semgrep', report: 'cli.json' },
  { stage: 'image', tool: 'grype', report: 'two-matches.json' },
  { stage: 'ecr', tool: 'ecr', report: 'basic.json', image: IMAGE },
  { stage: 'dast', tool: 'zap', report: 'report.xml' },
];

interface DecodedFilter { field: string; key?: string; comparison: string; value: string }

function approvalLink(): string {
  const template = Template.fromStack(new FactoryStack(new App(), 'Factory', { config, env: ENV }));
  const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0].Properties;
  const approval = pipeline.Stages.find((s: { Name: string }) => s.Name === 'Approval').Actions[0];
  return flatten(approval.Configuration.ExternalEntityLink);
}

/** A string, or an Fn::Join whose intrinsic parts are replaced by a marker no finding can equal. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const fnJoin = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (fnJoin) return fnJoin[1].map(flatten).join(fnJoin[0]);
  return DEPLOY_TIME;
}

/** The console's `Field=\key\=K\:\operator\:OP\:value` filters, URL-encoded twice and joined by an encoded `&`. */
function decodeFilters(link: string): DecodedFilter[] {
  const search = link.split('#/findings?search=')[1];
  expect(search).toBeDefined();
  return search.split('%26').map((encoded) => {
    const [field, rest] = encoded.split('%3D', 2);
    const text = decodeURIComponent(decodeURIComponent(rest));
    const match = /^(?:\\key\\=([^\\]+)\\:)?\\operator\\:([A-Z_]+)\\:(.*)$/s.exec(text);
    if (!match) throw new Error(`not a console filter: ${encoded}`);
    const value = match[3].replace(/#\{[^}]+\}/g, (variable) => PIPELINE_VARIABLES[variable] ?? DEPLOY_TIME);
    return { field, key: match[1], comparison: match[2], value };
  });
}

/** The values of a filter field in a finding; a field the finding lacks has none. */
function fieldValues(finding: AwsSecurityFinding, filter: DecodedFilter): string[] {
  if (filter.field === 'ResourceId') return (finding.Resources ?? []).map((r) => r.Id ?? '');
  const value = (finding as unknown as Record<string, unknown>)[filter.field];
  if (filter.key !== undefined) {
    const map = (value ?? {}) as Record<string, string>;
    return filter.key in map ? [map[filter.key]] : [];
  }
  return typeof value === 'string' ? [value] : [];
}

function matches(finding: AwsSecurityFinding, filter: DecodedFilter): boolean {
  const values = fieldValues(finding, filter);
  switch (filter.comparison) {
    case 'EQUALS': return values.includes(filter.value);
    case 'PREFIX': return values.some((v) => v.startsWith(filter.value));
    case 'CONTAINS': return values.some((v) => v.includes(filter.value));
    case 'NOT_EQUALS': return !values.includes(filter.value);
    default: throw new Error(`comparison ${filter.comparison} not modelled`);
  }
}

async function findingsOf(stage: typeof STAGES[number], commit: string): Promise<AwsSecurityFinding[]> {
  // The context every scan buildspec passes: repository, branch, the resolved source version as commit, build id.
  const context: ScanContext = {
    ...ENV,
    repository: 'repository' in config.source ? config.source.repository : config.source.repositoryName,
    branch: config.source.branch,
    commit,
    buildId: `factory-${stage.stage}:0001`,
    image: stage.image,
  };
  const findings: AwsSecurityFinding[] = [];
  const input = join(parsers, stage.tool, 'fixtures', stage.report);
  for await (const finding of convert({ tool: stage.tool, input, context })) findings.push(finding);
  expect(findings.length).toBeGreaterThan(0);
  return findings;
}

describe('the approval mail\'s Security Hub link', () => {
  const filters = decodeFilters(approvalLink());

  test('filters on fields the converted findings really carry, under the key the builder writes', async () => {
    const [finding] = await findingsOf(STAGES[0], COMMIT);
    for (const filter of filters) {
      expect({ filter: `${filter.field}${filter.key ? `.${filter.key}` : ''}`, present: fieldValues(finding, filter).length > 0 })
        .toEqual({ filter: `${filter.field}${filter.key ? `.${filter.key}` : ''}`, present: true });
    }
  });

  test('selects the promoted commit and active findings only', () => {
    expect(filters).toEqual(expect.arrayContaining([
      expect.objectContaining({ field: 'RecordState', comparison: 'EQUALS', value: 'ACTIVE' }),
      expect.objectContaining({ field: 'ProductFields', key: 'Commit', comparison: 'EQUALS', value: COMMIT }),
    ]));
  });

  test.each(STAGES.map((stage) => [stage.stage, stage] as const))('shows the %s stage\'s findings of the promoted build', async (_name, stage) => {
    const findings = await findingsOf(stage, COMMIT);
    const shown = findings.filter((finding) => filters.every((filter) => matches(finding, filter)));
    expect(shown.length).toBe(findings.length);
  });

  test('hides the findings of another commit', async () => {
    const findings = await findingsOf(STAGES[2], OTHER_COMMIT);
    expect(findings.filter((finding) => filters.every((filter) => matches(finding, filter)))).toEqual([]);
  });
});
