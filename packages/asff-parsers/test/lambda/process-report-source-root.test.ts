import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

import { useLambdaTestEnvironment } from './lambda-harness';
import { processReport } from '../../src/lambda/process-report';
import { REPORT_METADATA_KEYS } from '../../src/lambda/report-metadata';
import { settingsFromEnvironment } from '../../src/lambda/settings';
import { ACCOUNT } from '../support/fake-security-hub/sample-findings';

/** A SARIF report naming its file by absolute path, as a build checked out at `root` writes it. */
function sarifIn(root: string): string {
  const result = {
    ruleId: 'js/sql-injection',
    level: 'error',
    message: { text: 'SQL built from input.' },
    locations: [{ physicalLocation: { artifactLocation: { uri: `${root}/src/db.js` }, region: { startLine: 12 } } }],
  };
  return JSON.stringify({ version: '2.1.0', runs: [{ tool: { driver: { name: 'CodeQL', rules: [] } }, results: [result] }] });
}

describe('processReport with the build\'s source root in the report metadata', () => {
  const lambda = useLambdaTestEnvironment();

  afterEach(async () => {
    lambda.bucket.s3Mock.restore();
    await lambda.fake.close();
  });

  async function processed(key: string, root: string, uploadRoot: boolean): Promise<void> {
    const metadata = {
      [REPORT_METADATA_KEYS.tool]: 'sarif',
      [REPORT_METADATA_KEYS.branch]: 'main',
      ...(uploadRoot ? { [REPORT_METADATA_KEYS.sourceRoot]: root } : {}),
    };
    lambda.bucket.objects.set(key, { body: sarifIn(root), metadata });
    await processReport('reports', key, {
      s3: lambda.bucket.client,
      securityHub: lambda.fake.client(),
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'Test', serviceName: 'test' }),
      settings: settingsFromEnvironment({}),
      identity: { account: ACCOUNT, region: 'us-east-1', partition: 'aws' },
      importer: { backoff: { baseMs: 1, capMs: 5 } },
    });
  }

  test('two builds in different directories update one finding, named by its relative path', async () => {
    await processed('raw/shop/code/1/report.sarif', '/codebuild/output/src111/src', true);
    await processed('raw/shop/code/2/report.sarif', '/codebuild/output/src222/src', true);
    const active = lambda.fake.store.all().filter((f) => f.RecordState === 'ACTIVE');
    expect(active.map((f) => f.Resources?.[0]?.Id)).toEqual(['shop/src/db.js:12']);
  });

  test('without it, each build directory is another finding', async () => {
    await processed('raw/shop/code/1/report.sarif', '/codebuild/output/src111/src', false);
    await processed('raw/shop/code/2/report.sarif', '/codebuild/output/src222/src', false);
    expect(new Set(lambda.fake.store.all().map((f) => f.Id)).size).toBe(2);
  });
});
