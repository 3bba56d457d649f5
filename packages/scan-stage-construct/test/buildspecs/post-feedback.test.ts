import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { pullRequestPolicy } from '../../src/private/pull-request-build';
import { expectedStageBuildspec, BUILDSPEC_DIR } from '../support/buildspec-files';
import { ASFF_CLI, newStageWorkspace, runPhase, StageWorkspace, stubTool } from '../support/buildspec-runner';
import { FakeApi, startFakeApi } from '../support/fake-provider-api';

/**
 * buildspecs/post-feedback.sh against a fake of each provider's API on 127.0.0.1 (its own process): the paths,
 * methods, auth header and bodies it sends, that the token stays out of its output, and, run inside the
 * code-scan buildspec, that a failure to post leaves the gate's verdict as it was.
 */
const SCRIPT = path.join(BUILDSPEC_DIR, 'post-feedback.sh');
const COMMIT = 'aaaabbbbccccddddeeeeffff0000111122223333';
const TOKEN = 'fake-provider-token-0123456789';
const BUILD_URL = 'https://console.aws.amazon.com/codesuite/codebuild/projects/code-scan/build/code-scan%3A1a2b';

let dir: string;
let summary: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'post-feedback-'));
  summary = path.join(dir, 'summary-hadolint.md');
  fs.writeFileSync(summary, '### asff gate: stage code, mode new: FAILED\n\n| new | 1 |\n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const apis: FakeApi[] = [];
afterEach(() => apis.splice(0).forEach((api) => api.stop()));
async function fakeApi(routes: Parameters<typeof startFakeApi>[0]): Promise<FakeApi> {
  const api = await startFakeApi(routes);
  apis.push(api);
  return api;
}

function post(env: Record<string, string>, args: string[]) {
  const result = spawnSync('bash', [SCRIPT, ...args], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH!,
      STAGE_NAME: 'code',
      CODEBUILD_RESOLVED_SOURCE_VERSION: COMMIT,
      CODEBUILD_BUILD_URL: BUILD_URL,
      FEEDBACK_REPOSITORY: 'octo/shop',
      FEEDBACK_TOKEN: TOKEN,
      ...env,
    },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('GitHub', () => {
  const statusPath = `/repos/octo/shop/statuses/${COMMIT}`;
  const pullsPath = `/repos/octo/shop/commits/${COMMIT}/pulls`;

  test('sets the commit status and comments the summary on the open pull request of the commit', async () => {
    const api = await fakeApi({
      [`POST ${statusPath}`]: { status: 201 },
      [`GET ${pullsPath}`]: { body: [{ number: 7, state: 'open' }, { number: 3, state: 'closed' }] },
      'GET /repos/octo/shop/issues/7/comments?per_page=100': { body: [{ id: 5, body: 'looks good' }] },
      'POST /repos/octo/shop/issues/7/comments': { status: 201 },
    });

    const run = post({ FEEDBACK_PROVIDER: 'github', FEEDBACK_API_URL: api.url }, ['1', summary]);

    expect(run.status).toBe(0);
    const requests = api.requests();
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST ${statusPath}`, `GET ${pullsPath}`, 'GET /repos/octo/shop/issues/7/comments?per_page=100', 'POST /repos/octo/shop/issues/7/comments',
    ]);
    expect(requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(requests[0].body).toEqual({
      state: 'failure', context: 'devsecops-factory/code', description: 'Security gate failed: blocking findings', target_url: BUILD_URL,
    });
    expect(requests[0].contentType).toBe('application/json');
    expect(requests[3].body.body).toMatch(/^<!-- devsecops-factory\/code -->\n### asff gate: stage code, mode new: FAILED/);
    expect(run.output).not.toContain(TOKEN);
  });

  test('updates its own earlier comment instead of adding another on the next push', async () => {
    const api = await fakeApi({
      [`POST ${statusPath}`]: { status: 201 },
      [`GET ${pullsPath}`]: { body: [{ number: 7, state: 'open' }] },
      'GET /repos/octo/shop/issues/7/comments?per_page=100': {
        body: [
          { id: 5, body: 'looks good' },
          { id: 99, body: '<!-- devsecops-factory/code -->\nold' },
        ],
      },
      'PATCH /repos/octo/shop/issues/comments/99': {},
    });

    const run = post({ FEEDBACK_PROVIDER: 'github', FEEDBACK_API_URL: `${api.url}/` }, ['0', summary]);

    expect(run.status).toBe(0);
    const requests = api.requests();
    expect(requests.map((r) => `${r.method} ${r.path}`).slice(2)).toEqual([
      'GET /repos/octo/shop/issues/7/comments?per_page=100',
      'PATCH /repos/octo/shop/issues/comments/99',
    ]);
    expect(requests[0].body.state).toBe('success');
  });

  test('fails, without printing the token, when the API refuses the status', async () => {
    const api = await fakeApi({ [`POST ${statusPath}`]: { status: 401, body: { message: 'Bad credentials' } } });

    const run = post({ FEEDBACK_PROVIDER: 'github', FEEDBACK_API_URL: api.url }, ['0', summary]);

    expect(run.status).not.toBe(0);
    expect(api.requests()).toHaveLength(1);
    expect(run.output).toContain('401');
    expect(run.output).not.toContain(TOKEN);
  });
});

test('GitLab: commit status and a note on the open merge request, with the PRIVATE-TOKEN header', async () => {
  const project = 'group%2Fsub%2Fshop';
  const api = await fakeApi({
    [`POST /projects/${project}/statuses/${COMMIT}`]: { status: 201 },
    [`GET /projects/${project}/repository/commits/${COMMIT}/merge_requests`]: { body: [{ iid: 12, state: 'opened' }, { iid: 4, state: 'merged' }] },
    [`GET /projects/${project}/merge_requests/12/notes?per_page=100&sort=asc`]: { body: [] },
    [`POST /projects/${project}/merge_requests/12/notes`]: { status: 201 },
  });

  const run = post({ FEEDBACK_PROVIDER: 'gitlab', FEEDBACK_API_URL: api.url, FEEDBACK_REPOSITORY: 'group/sub/shop' }, ['2', summary]);

  expect(run.status).toBe(0);
  const requests = api.requests();
  expect(requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'POST']);
  expect(requests.every((r) => r.privateToken === TOKEN && r.authorization === undefined)).toBe(true);
  expect(requests[0].body).toEqual(expect.objectContaining({ state: 'failed', name: 'devsecops-factory/code' }));
  expect(requests[0].body.description).toContain('could not judge');
  expect(requests[3].body.body).toContain('mode new: FAILED');
});

test('Bitbucket: a build status with its key, name and link', async () => {
  const api = await fakeApi({ [`POST /repositories/team/shop/commit/${COMMIT}/statuses/build`]: { status: 201 } });

  const run = post({ FEEDBACK_PROVIDER: 'bitbucket', FEEDBACK_API_URL: api.url, FEEDBACK_REPOSITORY: 'team/shop' }, ['0', summary]);

  expect(run.status).toBe(0);
  const [request] = api.requests();
  expect(request.authorization).toBe(`Bearer ${TOKEN}`);
  expect(request.body).toEqual({
    state: 'SUCCESSFUL', key: 'devsecops-factory/code', name: 'devsecops-factory/code', description: 'Security gate passed', url: BUILD_URL,
  });
});

describe('refuses before sending anything', () => {
  test.each([
    ['a plain-http API on another host', { FEEDBACK_API_URL: 'http://api.example.com' }, 'must be an https:// URL'],
    ['a token with a line break (header injection)', { FEEDBACK_TOKEN: `${TOKEN}\nX-Injected: 1` }, 'FEEDBACK_TOKEN is empty or holds white space'],
    ['an unknown provider', { FEEDBACK_PROVIDER: 'gitea' }, "unknown FEEDBACK_PROVIDER 'gitea'"],
    ['a repository that is not owner/name', { FEEDBACK_REPOSITORY: '../../admin' }, 'is not owner/name'],
  ])('%s', async (_name, env, message) => {
    const api = await fakeApi({});
    const run = post({ FEEDBACK_PROVIDER: 'github', FEEDBACK_API_URL: api.url, ...env }, ['0', summary]);
    expect(run.status).toBe(2);
    expect(run.output).toContain(message);
    expect(run.output).not.toContain(TOKEN);
    expect(api.requests()).toEqual([]);
  });
});

describe('in the code-scan buildspec of a pull-request build', () => {
  const spec = expectedStageBuildspec('code-scan.yml');
  const workspaces: StageWorkspace[] = [];
  afterAll(() => workspaces.forEach((w) => fs.rmSync(w.root, { recursive: true, force: true })));

  function pullRequestWorkspace(apiUrl: string): StageWorkspace {
    const workspace = newStageWorkspace({
      stage: 'code',
      threshold: 'MEDIUM',
      build: { project: 'code-scan', id: '1a2b', number: 4, sourceVersion: COMMIT },
    });
    workspaces.push(workspace);
    fs.writeFileSync(path.join(workspace.source, 'Dockerfile'), 'FROM node:latest\n');
    stubTool(workspace.bin, 'semgrep', `out=""; while [ $# -gt 0 ]; do [ "$1" = "--output" ] && out="$2"; shift; done
printf '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"Semgrep OSS","rules":[]}},"results":[]}]}' > "$out"`);
    // The Dockerfile is hadolint's last argument.
    stubTool(workspace.bin, 'hadolint',
      'printf \'[{"line":1,"code":"DL3007","message":"Using latest","column":1,"file":"%s","level":"error"}]\' "${@: -1}"');
    // As the pull-request build's install phase does it: the script, executable, as post-feedback on PATH.
    fs.copyFileSync(SCRIPT, path.join(workspace.bin, 'post-feedback'));
    fs.chmodSync(path.join(workspace.bin, 'post-feedback'), 0o755);
    Object.assign(workspace.env, {
      REPORTS_UPLOAD: 'false',
      FEEDBACK_PROVIDER: 'github',
      FEEDBACK_API_URL: apiUrl,
      FEEDBACK_REPOSITORY: 'octo/shop',
      FEEDBACK_TOKEN: TOKEN,
      CODEBUILD_BUILD_URL: BUILD_URL,
      SCOPE_REPOSITORY: 'shop',
    });
    return workspace;
  }
  const commands: string[] = spec.phases.build.commands;

  test('keeps the gate\'s failure when the provider refuses the summary, and uploads nothing', async () => {
    const api = await fakeApi({ [`POST /repos/octo/shop/statuses/${COMMIT}`]: { status: 500 } });
    const { source, record, env } = pullRequestWorkspace(api.url);

    const run = runPhase(spec, 'build', { cwd: source, env });

    expect({ failedCommand: run.failedCommand, status: run.status }).toEqual({ failedCommand: commands.length - 1, status: 1 });
    expect(run.output).toContain('could not be posted to the pull request (status 22)');
    expect(run.output).toContain('Stage code failed its gate (status 1)');
    expect(run.output).not.toContain(TOKEN);
    expect(fs.existsSync(path.join(record, 'calls.jsonl')) ? fs.readFileSync(path.join(record, 'calls.jsonl'), 'utf8') : '').not.toContain('s3');
  });

  test('posts the gate\'s Markdown summary of the failing finding to the pull request', async () => {
    const api = await fakeApi({
      [`POST /repos/octo/shop/statuses/${COMMIT}`]: { status: 201 },
      [`GET /repos/octo/shop/commits/${COMMIT}/pulls`]: { body: [{ number: 7, state: 'open' }] },
      'GET /repos/octo/shop/issues/7/comments?per_page=100': { body: [] },
      'POST /repos/octo/shop/issues/7/comments': { status: 201 },
    });
    const { source, env } = pullRequestWorkspace(api.url);

    const run = runPhase(spec, 'build', { cwd: source, env });

    expect([run.status, run.output]).toEqual([1, expect.stringContaining('post-feedback: github commit status')]);
    const comment = api.requests().find((r) => r.method === 'POST' && r.path.endsWith('/comments'));
    expect(comment?.body.body).toContain('DL3007');
    expect(api.requests()[0].body.state).toBe('failure');
  });

  test('passes when its only blocking finding is already on the default branch, read from Security Hub as the baseline', async () => {
    // The default branch's finding: the same hadolint report, converted for branch main, as Security Hub returns it.
    const report = path.join(dir, 'hadolint.json');
    fs.writeFileSync(report, '[{"line":1,"code":"DL3007","message":"Using latest","column":1,"file":"Dockerfile","level":"error"}]');
    const converted = spawnSync(ASFF_CLI, ['convert', '--tool', 'hadolint', '--input', report, '--output', '-', '--account', '111111111111',
      '--region', 'eu-west-1', '--repository', 'shop', '--branch', 'main', '--commit', '0'.repeat(40)], { encoding: 'utf8' });
    expect(converted.status).toBe(0);
    const api = await fakeApi({
      'POST /findings': { body: { Findings: JSON.parse(converted.stdout).Findings } },
      [`POST /repos/octo/shop/statuses/${COMMIT}`]: { status: 201 },
      [`GET /repos/octo/shop/commits/${COMMIT}/pulls`]: { body: [] },
    });
    const workspace = pullRequestWorkspace(api.url);
    const policy = Buffer.from(workspace.env.FACTORY_POLICY_B64, 'base64').toString('utf8');
    const env = {
      ...workspace.env,
      // As the stage construct sets a pull-request build: the factory policy in mode new, the baseline branch, the
      // pull request's branch in the scope.
      FACTORY_POLICY_B64: Buffer.from(pullRequestPolicy(policy)).toString('base64'),
      BASELINE_BRANCH: 'main',
      SCOPE_BRANCH: 'feature/pin-base-image',
      AWS_ENDPOINT_URL_SECURITYHUB: api.url,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret-for-local-endpoint',
    };

    const run = runPhase(spec, 'build', { cwd: workspace.source, env });

    expect([run.status, run.output]).toEqual([0, expect.stringContaining('mode new: PASSED')]);
    // Passed because the finding is in the baseline, not because it went unseen.
    expect(run.output).toContain('new 0  existing within SLA 1  overdue 0  (baseline: 1 findings)');
    const reads = api.requests().filter((r) => r.path === '/findings');
    // One baseline read per tool, each for the default branch's scope of the same repository, stage and tool.
    expect(reads.map((r) => JSON.stringify(r.body.Filters))).toEqual([
      expect.stringContaining('"shop/main/code/sarif"'), expect.stringContaining('"shop/main/code/hadolint"'),
    ]);
    expect(api.requests().find((r) => r.path.includes('/statuses/'))?.body.state).toBe('success');
  });
});
