import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../src/config/load';
import { FactoryStack } from '../../src/stacks/factory-stack';
import { checkWithAwsCli } from '../support/aws-cli';
import { ASFF_SOURCE, Coverage, CoverageRow, factoryCoverage } from '../support/iam-coverage';
import { CfnTemplate } from '../support/iam-matcher';
import { sdkCalls } from '../support/sdk-calls';
import { SAMPLE } from '../support/shell-commands';

// The reference factory as `cdk deploy` would create it: the roles checked are the synthesized ones.
const config = loadConfig(join(__dirname, '..', '..', 'factory.config.yaml'));
const template = Template.fromStack(new FactoryStack(new App(), 'Factory', { config })).toJSON() as CfnTemplate;
const coverage = factoryCoverage(template);

const describeRow = (r: CoverageRow) => `${r.principal}: ${r.call} needs ${r.action} on ${r.resource}`;
const rowsOf = (c: Coverage, principal: RegExp, call: string) => c.rows.filter((r) => principal.test(r.principal) && r.call === call);
const clone = (): CfnTemplate => JSON.parse(JSON.stringify(template));
const resourceOfType = (t: CfnTemplate, type: string, id: RegExp) => Object.entries(t.Resources).find(([k, r]) => r.Type === type && id.test(k))![1];

/**
 * A buildspec word known only at run time is SAMPLE: the CLI gets a value of the right shape instead, so that
 * its validation judges the command, not the placeholder. Structured options get a value of their shorthand;
 * any other gets twelve digits, which string (up to their minimum lengths: account ids), integer and
 * timestamp parameters all accept.
 */
const STRUCTURED_SAMPLES: Record<string, string> = { '--metadata': 'sample=value' };
function cliSample(argv: string[]): string[] {
  return argv.map((word, i) => (word === SAMPLE && STRUCTURED_SAMPLES[argv[i - 1]]) || word.replace(/SAMPLE/g, '111111111111'));
}

describe('IAM coverage of every AWS call the factory makes', () => {
  test('every call of every buildspec and of the findings processor is in the coverage tables', () => {
    expect(coverage.unknown).toEqual([]);
  });

  test('every `aws` command of every buildspec is one the real AWS CLI v2 accepts (service, operation, options, values)', () => {
    // Switched-off branches too: a configuration that turns them on must not meet a typo at run time.
    const verdicts = checkWithAwsCli(coverage.awsCommands.map((c) => cliSample(c.command.words.slice(1))));
    expect(verdicts.length).toBeGreaterThanOrEqual(20);
    const rejected = verdicts.flatMap((v, i) =>
      v.rejection ? [`${coverage.awsCommands[i].project}: ${coverage.awsCommands[i].command.line}: ${v.rejection}`] : [],
    );
    expect(rejected).toEqual([]);
  });

  test('every role allows every call its project or function makes, on the resource it makes it on', () => {
    expect(coverage.rows.filter((r) => !r.allowed).map(describeRow)).toEqual([]);
  });

  test('the checked calls span every project of the pipeline and the findings processor', () => {
    const projects = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::CodeBuild::Project').map(([id]) => id);
    expect(projects).toHaveLength(7);
    // Each project at least downloads the asff CLI or describes its cluster, and clones through the connection.
    for (const project of projects) expect(coverage.rows.filter((r) => r.principal === project).length).toBeGreaterThanOrEqual(3);
    expect(coverage.rows.some((r) => /^FindingsFunction/.test(r.principal))).toBe(true);
  });

  test('each scan stage uploads its reports and policy under its own prefix of the reports bucket, with the bucket key', () => {
    const stages = [['secrets', /^SecretsScan/], ['code', /^CodeScan/], ['image', /^ImageScan/], ['ecr', /^EcrScan/], ['dast', /^DastScan/]] as const;
    for (const [stage, project] of stages) {
      const uploads = rowsOf(coverage, project, 'aws s3 cp').filter((r) => r.action === 's3:PutObject').map((r) => r.resource);
      expect(uploads).toEqual(expect.arrayContaining([
        expect.stringMatching(new RegExp(`^arn:aws:s3:::findingsreportsbucket\\w+/raw/example-org/devsecops-factory/${stage}/0/`)),
        expect.stringMatching(new RegExp(`^arn:aws:s3:::findingsreportsbucket\\w+/policies/example-org/devsecops-factory/${stage}/0/policy.yml$`)),
      ]));
      expect(rowsOf(coverage, project, 'aws s3 cp').map((r) => r.action)).toEqual(
        expect.arrayContaining(['kms:GenerateDataKey', 'kms:Decrypt', 's3:GetObject']),
      );
    }
  });

  test('the publish stage pushes with crane and waits for the scan on its own repository only', () => {
    const repository = expect.stringMatching(/^arn:aws:ecr:us-east-1:111111111111:repository\/imagerepository\w+$/);
    expect(rowsOf(coverage, /^EcrScan/, 'crane push').map((r) => r.action)).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:InitiateLayerUpload',
      'ecr:UploadLayerPart',
      'ecr:CompleteLayerUpload',
      'ecr:PutImage',
      'ecr:BatchGetImage',
    ]);
    for (const call of ['crane push', 'aws ecr describe-image-scan-findings', 'aws ecr start-image-scan']) {
      for (const row of rowsOf(coverage, /^EcrScan/, call)) expect(row.resource).toEqual(repository);
    }
    // crane (push), oras (referrers) and notation (signatures) each log in to the registry.
    expect(rowsOf(coverage, /^EcrScan/, 'aws ecr get-login-password')).toMatchObject(
      Array(3).fill({ action: 'ecr:GetAuthorizationToken', resource: '*', allowed: true }),
    );
  });

  test('the image and publish stages keep the SBOM and the provenance under their own prefixes, where the processor does not read', () => {
    const put = (stage: RegExp) =>
      rowsOf(coverage, stage, 'aws s3 cp')
        .filter((r) => r.action === 's3:PutObject')
        .map((r) => [r.resource, r.allowed]);
    expect(put(/^ImageScan/)).toContainEqual([expect.stringMatching(/^arn:aws:s3:::\w+\/sbom\/.+\/SAMPLE$/), true]);
    expect(put(/^EcrScan/)).toContainEqual([expect.stringMatching(/^arn:aws:s3:::\w+\/provenance\/.+\/SAMPLE$/), true]);
    const read = rowsOf(coverage, /^FindingsFunction/, 'GetObject (s3 SDK)').map((r) => r.resource);
    expect(read.filter((resource) => /\/(sbom|provenance)\//.test(resource))).toEqual([]);
  });

  test('each deploy logs in to the registry to verify the digest\'s signature and provenance', () => {
    for (const deploy of [/^StagingDeploy/, /^ProductionDeploy/]) {
      expect(rowsOf(coverage, deploy, 'aws ecr get-login-password')).toMatchObject(
        Array(2).fill({ action: 'ecr:GetAuthorizationToken', resource: '*', allowed: true }),
      );
    }
  });

  test('each deploy describes only its own cluster', () => {
    expect(rowsOf(coverage, /^StagingDeploy/, 'aws eks update-kubeconfig')).toMatchObject([
      { action: 'eks:DescribeCluster', resource: 'arn:aws:eks:us-east-1:111111111111:cluster/factory-staging', allowed: true },
    ]);
    expect(rowsOf(coverage, /^ProductionDeploy/, 'aws eks update-kubeconfig')).toMatchObject([
      { action: 'eks:DescribeCluster', resource: 'arn:aws:eks:us-east-1:111111111111:cluster/factory-production', allowed: true },
    ]);
  });

  test('calls the configuration switches off are known but not required (codeartifact with the asset CLI, the cross-account profile)', () => {
    // The reference factory writes to no Security Lake custom source: the processor assumes no provider role.
    expect(coverage.inactive).toContainEqual(expect.stringMatching(/^FindingsFunction\w*: AssumeRole \(sts SDK\)/));
    expect(coverage.inactive).toEqual(expect.arrayContaining([
      expect.stringMatching(/^CodeScan\w+: aws codeartifact login \(codeartifact:GetAuthorizationToken/),
      expect.stringMatching(/^StagingDeploy\w+: aws configure set/),
    ]));
    expect(coverage.inactive.some((c) => /aws s3 cp|aws ecr|aws eks/.test(c))).toBe(false);
  });

  test('the findings processor may read every object the stages upload and write its outputs, with the bucket key', () => {
    const get = rowsOf(coverage, /^FindingsFunction/, 'GetObject (s3 SDK)');
    expect(get.filter((r) => r.action === 's3:GetObject').map((r) => r.resource)).toEqual(expect.arrayContaining([
      expect.stringMatching(/\/raw\/example-org\/devsecops-factory\/code\/0\//),
      expect.stringMatching(/\/policies\/example-org\/devsecops-factory\/dast\/0\/policy.yml$/),
    ]));
    expect(get.map((r) => r.action)).toContain('kms:Decrypt');
    const put = rowsOf(coverage, /^FindingsFunction/, 'PutObject (s3 SDK)');
    expect(put.map((r) => r.resource)).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/converted\/SAMPLE$/), expect.stringMatching(/\/dead-letter\/SAMPLE$/)]),
    );
    expect(put.map((r) => r.action)).toContain('kms:GenerateDataKey');
    for (const call of ['BatchImportFindings (securityhub SDK)', 'GetFindings (securityhub SDK)', 'BatchUpdateFindings (securityhub SDK)']) {
      expect(rowsOf(coverage, /^FindingsFunction/, call)).toHaveLength(1);
    }
  });

  test('the buildspecs run asff convert, licenses and policy, which make no AWS call, '
    + 'and asff gate, which reads Security Hub only for a pull-request build\'s baseline', () => {
    expect([...coverage.asffCommands.keys()].sort()).toEqual(['convert', 'gate', 'licenses', 'policy']);
    expect(coverage.asffCommands.get('convert')).toEqual([]);
    expect(coverage.asffCommands.get('licenses')).toEqual([]);
    // prepare-scan.sh reads the factory's in-source suppression setting from the policy files it already has.
    expect(coverage.asffCommands.get('policy')).toEqual([]);
    // GetFindings with --baseline-scope, which only pull-request builds pass (their coverage: pull-request-pipeline.test.ts).
    expect(coverage.asffCommands.get('gate')).toEqual([expect.stringMatching(/^GetFindings \(securityhub, /)]);
    expect(coverage.rows.filter((r) => r.action === 'securityhub:GetFindings' && !/^FindingsFunction/.test(r.principal))).toEqual([]);
    // The scan of a command's modules does find SDK calls where there are some: `asff import` would need grants.
    const importCalls = sdkCalls(join(ASFF_SOURCE, 'cli', 'commands', 'import.ts'), ASFF_SOURCE).map((c) => `${c.client}:${c.operation}`);
    expect(importCalls).toEqual(expect.arrayContaining(['securityhub:BatchImportFindings', 'securityhub:GetFindings']));
  });
});

describe('the IAM coverage check fails', () => {
  test('when a stage role loses a grant its buildspec needs', () => {
    const t = clone();
    const policy = resourceOfType(t, 'AWS::IAM::Policy', /^EcrScanProjectRoleDefaultPolicy/);
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      statement.Action = [statement.Action].flat().filter((a: string) => a !== 'ecr:PutImage');
    }
    expect(factoryCoverage(t).rows.filter((r) => !r.allowed).map(describeRow)).toEqual([
      expect.stringMatching(/^EcrScanProject\w+: crane push needs ecr:PutImage on arn:aws:ecr:.*:repository\/imagerepository/),
    ]);
  });

  test('when the upload grant covers another stage\'s prefix only', () => {
    const t = clone();
    const policy = resourceOfType(t, 'AWS::IAM::Policy', /^CodeScanProjectRoleDefaultPolicy/);
    const text = JSON.stringify(policy).replace(/devsecops-factory\/code\//g, 'devsecops-factory/image/');
    Object.assign(policy, JSON.parse(text));
    const missing = factoryCoverage(t).rows.filter((r) => !r.allowed);
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.every((r) => /^CodeScan/.test(r.principal) && r.action === 's3:PutObject')).toBe(true);
  });

  test('when the findings processor cannot decrypt the reports', () => {
    const t = clone();
    const policy = resourceOfType(t, 'AWS::IAM::ManagedPolicy', /^FindingsPolicy/);
    policy.Properties.PolicyDocument.Statement = policy.Properties.PolicyDocument.Statement.filter(
      (s: any) => ![s.Action].flat().includes('kms:Decrypt'),
    );
    expect(factoryCoverage(t).rows.filter((r) => !r.allowed).map((r) => `${r.call}: ${r.action}`)).toEqual(expect.arrayContaining([
      'GetObject (s3 SDK): kms:Decrypt',
    ]));
  });

  test('when the findings processor is told Security Lake provider roles its role may not assume', () => {
    const t = clone();
    const fn = Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.RAW_PREFIX);
    const role = (name: string) => `arn:aws:iam::${'2'.repeat(12)}:role/${name}`;
    Object.assign(fn.Properties.Environment.Variables, {
      SECURITY_LAKE_VULNERABILITY_ROLE_ARN: role('lake-vulnerability'),
      SECURITY_LAKE_DETECTION_ROLE_ARN: role('lake-detection'),
    });
    const checked = factoryCoverage(t);
    expect(checked.inactive.filter((c) => c.includes('AssumeRole'))).toEqual([]);
    expect(checked.rows.filter((r) => !r.allowed).map((r) => `${r.call}: ${r.action} on ${r.resource}`)).toEqual([
      `AssumeRole (sts SDK): sts:AssumeRole on ${role('lake-vulnerability')}`,
      `AssumeRole (sts SDK): sts:AssumeRole on ${role('lake-detection')}`,
    ]);
  });

  // The continuation line also checks that the call is read as the shell joins it.
  test('when a buildspec gains an `aws` call the tables do not know', () => {
    const t = clone();
    const project = resourceOfType(t, 'AWS::CodeBuild::Project', /^CodeScanProject/);
    const buildSpec = project.Properties.Source.BuildSpec;
    const parts: unknown[] = buildSpec['Fn::Join'][1];
    const index = parts.findIndex((p) => typeof p === 'string' && p.includes('  build:\n'));
    parts[index] = (parts[index] as string).replace(
      '  build:\n    commands:\n',
      '  build:\n    commands:\n      - |\n        aws sqs send-message --queue-url "${QUEUE}" \\\n          --message-body done\n',
    );
    expect(factoryCoverage(t).unknown).toEqual([
      expect.stringMatching(new RegExp(/^CodeScanProject\w+: `aws sqs send-message` /.source
        + /\(in: aws sqs send-message --queue-url "\$\{QUEUE\}" --message-body done\) is not in the IAM coverage table/.source)),
    ]);
  });
});
