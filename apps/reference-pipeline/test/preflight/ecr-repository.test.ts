import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, context } from './support';
import { ecrRepositoryCheck } from '../../src/preflight/ecr-repository';

const ecr = mockClient(ECRClient);
beforeEach(() => ecr.reset());

const fixedName = (importExisting: boolean) => (raw: Record<string, any>) => {
  raw.image.repositoryName = 'shop';
  raw.image.importExistingRepository = importExisting;
};

function repositoryExists(exists: boolean) {
  if (exists) ecr.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: 'shop' }] });
  else ecr.on(DescribeRepositoriesCommand).rejects(awsError('RepositoryNotFoundException'));
}

describe('ECR repository check', () => {
  test('ok without a call when the name is generated (the default)', async () => {
    expect((await ecrRepositoryCheck.run(context())).status).toBe('ok');
    expect(ecr.calls()).toHaveLength(0);
  });

  test('ok when a fixed name is free', async () => {
    repositoryExists(false);
    expect(await ecrRepositoryCheck.run(context(fixedName(false)))).toMatchObject({ status: 'ok', detail: 'shop is free in eu-west-1' });
    expect(ecr.commandCalls(DescribeRepositoriesCommand)[0].args[0].input).toEqual({ repositoryNames: ['shop'] });
  });

  test('blocker when a fixed name already exists and import is not requested', async () => {
    repositoryExists(true);
    const result = await ecrRepositoryCheck.run(context(fixedName(false)));
    expect(result.status).toBe('blocker');
    expect(result.fix).toMatch(/^already exists: set image.importExistingRepository: true, or delete it/);
  });

  test('ok when import is requested and the repository exists', async () => {
    repositoryExists(true);
    expect((await ecrRepositoryCheck.run(context(fixedName(true)))).status).toBe('ok');
  });

  test('blocker when import is requested but the repository is missing', async () => {
    repositoryExists(false);
    const result = await ecrRepositoryCheck.run(context(fixedName(true)));
    expect(result).toMatchObject({ status: 'blocker', detail: expect.stringMatching(/^shop not found in eu-west-1/) });
  });
});
