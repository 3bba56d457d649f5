import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const SAMPLE_APP = path.join(__dirname, '..', '..', '..', 'sample-app');

/** What the factory reads of the sample app: its image build context, policy and manifests. */
const SAMPLE_FILES = ['Dockerfile', '.dockerignore', 'package.json', 'tsconfig.json', '.security', 'k8s', 'src'];

/**
 * A throwaway repository holding apps/sample-app where factory.config.yaml
 * expects it, with two commits on `branch` (the secret scan reads the whole
 * history). Returns the repository's path.
 */
export function sampleCommitRepository(root: string, branch: string): string {
  const repository = path.join(root, 'sample-repository');
  const app = path.join(repository, 'apps', 'sample-app');
  fs.mkdirSync(app, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, {
    cwd: repository,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: root,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Sample Author',
      GIT_AUTHOR_EMAIL: 'author@example.com',
      GIT_COMMITTER_NAME: 'Sample Author',
      GIT_COMMITTER_EMAIL: 'author@example.com',
    },
  }).trim();
  git('init', '--quiet', '--initial-branch', branch);
  fs.writeFileSync(path.join(repository, 'README.md'), '# Sample commit for the pipeline rehearsal\n');
  git('add', 'README.md');
  git('commit', '--quiet', '--message', 'Start the repository');
  for (const name of SAMPLE_FILES) {
    fs.cpSync(path.join(SAMPLE_APP, name), path.join(app, name), { recursive: true });
  }
  git('add', 'apps');
  git('commit', '--quiet', '--message', 'Add the sample app');
  return repository;
}
