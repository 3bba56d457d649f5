import { settingsFromEnvironment } from '@devsecops-factory/asff-parsers/lambda';
import { policyStatements, acknowledgementsIn, nagViolations } from '@devsecops-factory/test-kit';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FindingsProcessor, InSourceSuppressions } from '../src';
import { newStack } from './support/factory';
import { SECURITY_LAKE } from './support/whole-factory';

function processorTemplate(props: ConstructorParameters<typeof FindingsProcessor>[2] = {}) {
  const stack = newStack();
  const processor = new FindingsProcessor(stack, 'Findings', props);
  return { stack, processor, template: Template.fromStack(stack) };
}

const { template, processor } = processorTemplate();
const statements = policyStatements(template).filter((s) => s.resourceType === 'AWS::IAM::ManagedPolicy');
const statementFor = (action: string) => statements.filter((s) => s.actions.includes(action));

describe('FindingsProcessor role', () => {
  test('imports findings only into the account\'s own product, partition and region agnostic', () => {
    const [statement, ...others] = statementFor('securityhub:BatchImportFindings');
    expect(others).toEqual([]);
    expect(statement.resources).toEqual([{
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':securityhub:eu-west-1:111111111111:product/', { Ref: 'AWS::AccountId' }, '/default']],
    }]);
  });

  test('grants GetFindings and BatchUpdateFindings, which have no resource-level permissions, and nothing else of Security Hub', () => {
    const securityHub = statements.flatMap((s) => s.actions).filter((a) => a.startsWith('securityhub:')).sort();
    expect(securityHub).toEqual(['securityhub:BatchImportFindings', 'securityhub:BatchUpdateFindings', 'securityhub:GetFindings']);
    expect(statementFor('securityhub:GetFindings')[0].resources).toEqual(['*']);
  });

  test('reads raw reports and policies, writes converted findings and dead letters, keeps checkpoints, each under its own prefix only', () => {
    const objectsUnder = (s: { resources: unknown[] }) => s.resources.map((r) => (r as any)['Fn::Join'][1][1]);
    expect(statementFor('s3:GetObject').flatMap(objectsUnder)).toEqual(['/raw/*', '/policies/*', '/checkpoint/*']);
    expect(statementFor('s3:PutObject').flatMap(objectsUnder)).toEqual(['/converted/*', '/dead-letter/*', '/checkpoint/*']);
    // No delete, no listing: a finished import's checkpoint is marked complete, not removed.
    expect([...new Set(statements.flatMap((s) => s.actions).filter((a) => a.startsWith('s3:')))].sort()).toEqual(['s3:GetObject', 's3:PutObject']);
  });

  test('uses the factory key for decrypt and data keys only', () => {
    const kms = statements.filter((s) => s.actions.some((a) => a.startsWith('kms:')));
    expect(kms).toHaveLength(1);
    expect(kms[0].actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(kms[0].resources).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^FindingsKey/), 'Arn'] }]);
  });

  test('has no inline policy and no AWS managed policy', () => {
    const role = Object.values<any>(template.findResources('AWS::IAM::Role'))
      .find((r) => r.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Service === 'lambda.amazonaws.com'
        && JSON.stringify(r.Properties.ManagedPolicyArns ?? []).includes('FindingsPolicy'));
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: expect.stringMatching(/^FindingsPolicy/) }]);
    const inline = policyStatements(template).filter((s) => s.resourceType === 'AWS::IAM::Policy' && s.logicalId.startsWith('FindingsRole'));
    expect(inline).toEqual([]);
  });
});

describe('FindingsProcessor function', () => {
  test('runs the embedded bundle on a current Node.js runtime on arm64, traced, bounded and dead-lettered', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      Timeout: 900,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsDeadLetterQueue'), 'Arn'] } },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FindingsLogs') } },
      Environment: {
        Variables: Match.objectLike({
          RAW_PREFIX: 'raw/',
          CONVERTED_PREFIX: 'converted/',
          DEAD_LETTER_PREFIX: 'dead-letter/',
          CHECKPOINT_PREFIX: 'checkpoint/',
          ARCHIVE_MISSING: 'true',
          MAX_SUPPRESSION_DAYS: '90',
          SSE_KMS_KEY_ID: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsKey'), 'Arn'] },
        }),
      },
    });
  });

  test('passes the overdue ages of the findings metrics to the processor in the syntax it reads', () => {
    const stack = newStack();
    new FindingsProcessor(stack, 'Findings', { findingsSla: { CRITICAL: Duration.days(3), HIGH: Duration.hours(36) } });
    const variables = Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
      .find((f) => f.Properties.Handler === 'index.handler').Properties.Environment.Variables;
    expect(variables.FINDINGS_SLA).toBe('CRITICAL=72h,HIGH=36h');
    // The processor's own settings reader accepts it, and means the same ages.
    const sla = settingsFromEnvironment({ FINDINGS_SLA: variables.FINDINGS_SLA }).findingsSla;
    expect([sla.CRITICAL?.ms, sla.HIGH?.ms, sla.MEDIUM]).toEqual([72 * 3_600_000, 36 * 3_600_000, undefined]);
    // Without the prop, the processor keeps its documented default.
    expect(JSON.stringify(template.toJSON())).not.toContain('FINDINGS_SLA');
  });

  test.each([
    [{ SEVERE: Duration.days(1) }, /unknown severity 'SEVERE'/],
    [{ HIGH: Duration.minutes(90) }, /HIGH must be a positive whole number of hours/],
  ])('refuses an SLA it cannot express: %p', (findingsSla, message) => {
    expect(() => new FindingsProcessor(newStack(), 'Findings', { findingsSla })).toThrow(message);
  });

  test('makes in-source suppressions SUPPRESSED in Security Hub only when told the factory policy honours them', () => {
    const variablesOf = (props: ConstructorParameters<typeof FindingsProcessor>[2]) => {
      const stack = newStack();
      new FindingsProcessor(stack, 'Findings', props);
      return Object.values<any>(Template.fromStack(stack).findResources('AWS::Lambda::Function'))
        .find((f) => f.Properties.Handler === 'index.handler').Properties.Environment.Variables;
    };
    // By default the processor says so in its template, and its own settings reader takes the value as meant.
    const byDefault = variablesOf({}).IN_SOURCE_SUPPRESSIONS;
    expect(byDefault).toBe('ignore');
    expect(settingsFromEnvironment({ IN_SOURCE_SUPPRESSIONS: byDefault }).inSourceSuppressions).toBe('ignore');
    const honouring = variablesOf({ inSourceSuppressions: InSourceSuppressions.HONOUR }).IN_SOURCE_SUPPRESSIONS;
    expect(honouring).toBe('honour');
    expect(settingsFromEnvironment({ IN_SOURCE_SUPPRESSIONS: honouring }).inSourceSuppressions).toBe('honour');
    expect(variablesOf({ inSourceSuppressions: InSourceSuppressions.IGNORE }).IN_SOURCE_SUPPRESSIONS).toBe('ignore');
  });

  test('applies repository suppressions for at most the days it is given, and refuses nonsense', () => {
    const stack = newStack();
    new FindingsProcessor(stack, 'Findings', { maxSuppressionDays: 0 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAX_SUPPRESSION_DAYS: '0' }) },
    });
    expect(() => new FindingsProcessor(newStack(), 'Findings', { maxSuppressionDays: 1.5 })).toThrow(/maxSuppressionDays must be a whole number/);
  });

  test('reserves no concurrency by default: a reservation fails deploy in accounts with a low concurrency quota', () => {
    const fn = Object.values<any>(template.findResources('AWS::Lambda::Function'))
      .find((f) => f.Properties.Handler === 'index.handler' && f.Properties.Runtime === 'nodejs24.x');
    expect(fn.Properties).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  test('reserves concurrency when asked, with the same retries and dead-letter queue', () => {
    const stack = newStack();
    new FindingsProcessor(stack, 'Findings', { reservedConcurrentExecutions: 2 });
    const reserved = Template.fromStack(stack);
    reserved.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 2,
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsDeadLetterQueue'), 'Arn'] } },
    });
    reserved.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  test.each([0, -1, 1.5])('refuses a reservation of %p', (reservedConcurrentExecutions) => {
    expect(() => new FindingsProcessor(newStack(), 'Findings', { reservedConcurrentExecutions })).toThrow(/positive integer/);
  });

  test('retries failed asynchronous invocations twice before dead-lettering', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  test('object-created events of raw reports and of import checkpoints only reach the report queue, which the function consumes', () => {
    const queueArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsReportQueue'), 'Arn'] };
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          { Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }] } }, QueueArn: queueArn },
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.checkpoint.json' }, { Name: 'prefix', Value: 'checkpoint/' }] } },
            QueueArn: queueArn,
          },
        ],
      },
    });
    // Continuing an import needs no SQS permission of the function: the checkpoint's notification is the hand-off.
    expect(statementFor('sqs:SendMessage').map((s) => s.resources)).toEqual([
      [{ 'Fn::GetAtt': [expect.stringMatching(/^FindingsDeadLetterQueue/), 'Arn'] }],
    ]);
    expect(template.findResources('AWS::Lambda::Permission', { Properties: { Principal: 's3.amazonaws.com' } })).toEqual({});
  });

  test('imports a bounded number of reports at once, one per invocation, retrying only the report that failed', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsReportQueue'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^FindingsFunction') },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const stack = newStack();
    new FindingsProcessor(stack, 'Findings', { maxConcurrentImports: 5 });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 5 } });
  });

  test.each([1, 1001, 2.5])('refuses %p concurrent imports (an SQS event source takes 2 to 1000)', (maxConcurrentImports) => {
    expect(() => new FindingsProcessor(newStack(), 'Findings', { maxConcurrentImports })).toThrow(
      /maxConcurrentImports must be a whole number from 2 to 1000/,
    );
  });

  test('the report queue redelivers a failed report three times, then dead-letters it; never while it may still run', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsKey'), 'Arn'] },
      VisibilityTimeout: 6 * 900,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsDeadLetterQueue'), 'Arn'] }, maxReceiveCount: 3 },
    });
    const consume = statementFor('sqs:ReceiveMessage');
    expect(consume).toHaveLength(1);
    expect(consume[0].actions.sort()).toEqual(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']);
    expect(consume[0].resources).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^FindingsReportQueue/), 'Arn'] }]);
  });

  test('only S3 for this bucket and account may send to the report queue; S3 may only make and read data keys with the key', () => {
    const send = policyStatements(template).filter((s) => s.resourceType === 'AWS::SQS::QueuePolicy' && s.actions.includes('sqs:SendMessage'));
    expect(send).toHaveLength(1);
    expect(send[0].principal).toEqual({ Service: 's3.amazonaws.com' });
    expect(send[0].condition).toEqual({
      ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^FindingsReportsBucket/), 'Arn'] } },
      StringEquals: { 'aws:SourceAccount': '111111111111' },
    });
    const s3OnKey = policyStatements(template).filter(
      (s) => s.resourceType === 'AWS::KMS::Key' && JSON.stringify(s.principal).includes('s3.amazonaws.com'),
    );
    expect(s3OnKey.map((s) => s.actions)).toEqual([['kms:GenerateDataKey', 'kms:Decrypt']]);
  });

  test('logs to a KMS-encrypted group with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsKey'), 'Arn'] },
      RetentionInDays: 365,
    });
  });

  test('with a VPC, runs in its private subnets and may manage its network interfaces', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
    new FindingsProcessor(stack, 'Findings', { vpc });
    const inVpc = Template.fromStack(stack);
    inVpc.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }) });
    expect(policyStatements(inVpc).flatMap((s) => s.actions)).toContain('ec2:CreateNetworkInterface');
    expect(nagViolations(stack).filter((v) => v.path.startsWith('Factory/Findings'))).toEqual([]);
  });
});

describe('FindingsProcessor queue, key and alarms', () => {
  test('the dead-letter queue is KMS-encrypted, TLS-only and keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FindingsKey'), 'Arn'] },
      MessageRetentionPeriod: 1209600,
    });
  });

  test('the key rotates and its policy names actions instead of kms:*', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const keyActions = policyStatements(template).filter((s) => s.resourceType === 'AWS::KMS::Key').flatMap((s) => s.actions);
    expect(keyActions).toContain('kms:PutKeyPolicy');
    expect(keyActions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('lets CloudWatch Logs of this account only use the key', () => {
    const logs = policyStatements(template).find((s) => s.resourceType === 'AWS::KMS::Key' && JSON.stringify(s.principal).includes('logs.'));
    expect(JSON.stringify(logs?.condition)).toContain('kms:EncryptionContext:aws:logs:arn');
    expect(JSON.stringify(logs?.condition)).toContain('111111111111:log-group:*');
  });

  test('alarms on errors and on dead letters, notifying the topic when one is given', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Alarms');
    const withTopic = new FindingsProcessor(stack, 'Findings', { alarmTopic: topic });
    const alarms = Object.values<any>(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => a.Properties.MetricName).sort()).toEqual([
      'ApproximateAgeOfOldestMessage',
      'ApproximateNumberOfMessagesVisible',
      'Errors',
    ]);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alarms/) }]);
    // One failed invocation or dead letter is one too many; reports may wait up to an hour behind a burst.
    expect(alarms.map((a) => [a.Properties.MetricName, a.Properties.Threshold]).sort()).toEqual([
      ['ApproximateAgeOfOldestMessage', 3600], ['ApproximateNumberOfMessagesVisible', 1], ['Errors', 1],
    ]);
    expect(withTopic.errorsAlarm.alarmArn).toBeDefined();
  });

  test('without a topic, the acknowledgement says nobody is notified instead of claiming EventBridge does', () => {
    const recorded = acknowledgementsIn(new FindingsProcessor(newStack(), 'Findings'));
    const reasons = recorded.filter((a) => a.id === 'NIST.800.53.R5-CloudWatchAlarmAction');
    expect(reasons.map((a) => a.path).sort()).toEqual([
      'Factory/Findings/DeadLettersAlarm',
      'Factory/Findings/ErrorsAlarm',
      'Factory/Findings/QueueAgeAlarm',
    ]);
    for (const { reason } of reasons) {
      expect(reason).toMatch(/notifies nobody/);
      expect(reason).not.toMatch(/EventBridge/);
    }
  });

  test('exposes the bucket and key for the scan stages', () => {
    expect(processor.reportsBucket.encryptionKey).toBe(processor.encryptionKey);
  });
});

describe('FindingsProcessor with Security Lake', () => {
  const topic = (stack: ReturnType<typeof newStack>) => new sns.Topic(stack, 'Alarms', { enforceSSL: true });
  const lakeStack = newStack();
  const lakeProcessor = new FindingsProcessor(lakeStack, 'Findings', { securityLake: SECURITY_LAKE, alarmTopic: topic(lakeStack) });
  const lakeTemplate = Template.fromStack(lakeStack);
  const lakeStatements = policyStatements(lakeTemplate).filter((s) => s.resourceType === 'AWS::IAM::ManagedPolicy');
  const variables = () => Object.values<any>(lakeTemplate.findResources('AWS::Lambda::Function'))
    .find((f) => f.Properties.Handler === 'index.handler').Properties.Environment.Variables;

  test('gives the function the two sources and the external id, in the variables the processor reads', () => {
    const lake = settingsFromEnvironment(variables()).securityLake!;
    expect(lake.externalId).toBe(SECURITY_LAKE.externalId);
    expect(lake.sources[2002]).toEqual({
      eventClass: 'VULNERABILITY_FINDING',
      location: { bucket: 'aws-security-data-lake-eu-west-1-abc123', prefix: 'ext/factory-vulns/1.0/' },
      roleArn: SECURITY_LAKE.vulnerabilityFindings.providerRoleArn,
    });
    expect(lake.sources[2004]).toMatchObject({ eventClass: 'DETECTION_FINDING', roleArn: SECURITY_LAKE.detectionFindings.providerRoleArn });
  });

  test('may assume the two provider roles and nothing more: no S3 or KMS permission on the lake', () => {
    const assume = lakeStatements.filter((s) => s.actions.includes('sts:AssumeRole'));
    expect(assume.map((s) => [s.actions, s.resources])).toEqual([
      [['sts:AssumeRole'], [SECURITY_LAKE.vulnerabilityFindings.providerRoleArn, SECURITY_LAKE.detectionFindings.providerRoleArn]],
    ]);
    const lakeResources = lakeStatements.filter((s) => JSON.stringify(s.resources).includes('aws-security-data-lake'));
    expect(lakeResources).toEqual([]);
    // Everything else is as without Security Lake.
    const others = (list: typeof lakeStatements) => list.filter((s) => !s.actions.includes('sts:AssumeRole')).map((s) => [...s.actions].sort());
    expect(others(lakeStatements)).toEqual(others(statements));
  });

  test('alarms on objects Security Lake refused, notifying the alarm topic', () => {
    expect(lakeProcessor.securityLakeAlarm).toBeDefined();
    lakeTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'DevSecOpsFactory',
      MetricName: 'SecurityLakeWriteFailures',
      Dimensions: [{ Name: 'service', Value: variables().POWERTOOLS_SERVICE_NAME }],
      Statistic: 'Sum',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alarms') }],
    });
    expect(variables().POWERTOOLS_METRICS_NAMESPACE).toBe('DevSecOpsFactory');
  });

  test('without it, no variable, no role to assume and no alarm of Security Lake', () => {
    expect(processor.securityLakeAlarm).toBeUndefined();
    expect(statements.flatMap((s) => s.actions)).not.toContain('sts:AssumeRole');
    const text = JSON.stringify(template.toJSON());
    expect(['SECURITY_LAKE_', 'SecurityLakeWriteFailures'].filter((name) => text.includes(name))).toEqual([]);
  });

  test.each([
    [
      { ...SECURITY_LAKE, vulnerabilityFindings: { ...SECURITY_LAKE.vulnerabilityFindings, location: 'aws-security-data-lake-x/ext/v/' } },
      /vulnerabilityFindings.location/,
    ],
    [
      { ...SECURITY_LAKE, detectionFindings: { ...SECURITY_LAKE.detectionFindings, providerRoleArn: 'AmazonSecurityLake-Provider-x' } },
      /detectionFindings.providerRoleArn/,
    ],
    [{ ...SECURITY_LAKE, externalId: 'x' }, /externalId must be 2 to 1224/],
  ])('refuses a source it could not write to: %#', (securityLake, message) => {
    expect(() => new FindingsProcessor(newStack(), 'Findings', { securityLake })).toThrow(message);
  });

  test('passes cdk-nag without an alarm topic too', () => {
    const stack = newStack();
    new FindingsProcessor(stack, 'Findings', { securityLake: SECURITY_LAKE });
    expect(nagViolations(stack).filter((v) => v.path.startsWith('Factory/Findings'))).toEqual([]);
  });
});
