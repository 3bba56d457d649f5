import { readPipeline, resolveIntrinsics, substituteVariables } from './pipeline-model';

/** The template reading the rehearsal relies on: a wiring mistake must fail it, not be papered over. */
describe('pipeline model of the rehearsal', () => {
  const template = {
    Resources: {
      Repo: { Type: 'AWS::ECR::Repository' },
      Project: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Source: { BuildSpec: { 'Fn::Join': ['', ['version: 0.2\nreports:\n  "', { 'Fn::GetAtt': ['Reports', 'Arn'] }, '":\n    files: [a]\n']] } },
          Environment: { EnvironmentVariables: [{ Name: 'BUCKET', Type: 'PLAINTEXT', Value: { Ref: 'Repo' } }] },
        },
      },
      Reports: { Type: 'AWS::CodeBuild::ReportGroup' },
    },
  };

  test('resolves the repository URI the stack builds from the repository ARN to a placeholder registry', () => {
    const arn = { 'Fn::GetAtt': ['Repo', 'Arn'] };
    const uri = {
      'Fn::Join': ['', [
        { 'Fn::Select': [4, { 'Fn::Split': [':', arn] }] }, '.dkr.ecr.', { 'Fn::Select': [3, { 'Fn::Split': [':', arn] }] },
        '.', { Ref: 'AWS::URLSuffix' }, '/', { Ref: 'Repo' },
      ]],
    };
    expect(resolveIntrinsics(uri, template)).toBe('111111111111.dkr.ecr.eu-west-1.amazonaws.com/repo');
  });

  test('reads a CodeBuild action with its project buildspec, environment and overrides', () => {
    const [stage] = readPipeline({
      ...template,
      Resources: {
        ...template.Resources,
        Pipeline: {
          Type: 'AWS::CodePipeline::Pipeline',
          Properties: {
            Stages: [{
              Name: 'Deploy',
              Actions: [{
                Name: 'Deploy',
                ActionTypeId: { Category: 'Build' },
                RunOrder: 2,
                Namespace: 'D',
                InputArtifacts: [{ Name: 'Source' }],
                Configuration: {
                  ProjectName: { Ref: 'Project' },
                  EnvironmentVariables: JSON.stringify([{ name: 'DIGEST', type: 'PLAINTEXT', value: '#{Publish.IMAGE_DIGEST}' }]),
                },
              }],
            }],
          },
        },
      },
    });
    const action = stage.actions[0];
    expect(action).toMatchObject({ stage: 'Deploy', runOrder: 2, namespace: 'D', inputs: ['Source'], outputs: [] });
    expect(action.overrides).toEqual([{ name: 'DIGEST', type: 'PLAINTEXT', value: '#{Publish.IMAGE_DIGEST}' }]);
    expect(action.project!.environment).toEqual([{ name: 'BUCKET', type: 'PLAINTEXT', value: 'repo' }]);
    expect(Object.keys(action.project!.buildspec.reports)).toEqual(['arn:aws:codebuild:eu-west-1:111111111111:reports']);
  });

  test('refuses a variable reference no earlier action exported', () => {
    const variables = { Publish: { IMAGE_DIGEST: 'sha256:abc' } };
    expect(substituteVariables('image@#{Publish.IMAGE_DIGEST}', variables)).toBe('image@sha256:abc');
    expect(() => substituteVariables('#{Publish.IMAGE_URI_TYPO}', variables)).toThrow(/no earlier action exported/);
    expect(() => substituteVariables('#{Build.IMAGE_DIGEST}', variables)).toThrow(/no earlier action exported/);
  });
});
