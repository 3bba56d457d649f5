/**
 * `npm run preflight`: read-only checks of the target account and region before the first deploy
 * (docs/deploy.md, "Before the first deploy"). The logic is in src/preflight.
 */
import { join } from 'node:path';
import { main } from '../src/preflight/cli';

main(process.argv.slice(2), process.env, join(__dirname, '..')).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
