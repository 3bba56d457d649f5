/**
 * Records the integ-runner snapshot of test/integ/integ.factory.ts (what
 * `integ-runner --dry-run --update-on-failed` would write), without asset
 * bundles: the comparison ignores asset hashes, so their bytes would only bloat
 * the repository.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const snapshot = join(__dirname, '..', 'test', 'integ', 'integ.factory.ts.snapshot');
rmSync(snapshot, { recursive: true, force: true });
execFileSync('npx', ['ts-node', '--transpile-only', join(__dirname, '..', 'test', 'integ', 'integ.factory.ts')], {
  env: { ...process.env, CDK_OUTDIR: snapshot },
  stdio: 'inherit',
});
for (const entry of readdirSync(snapshot)) {
  // Construct metadata and the tree carry stack traces with local paths; the comparison reads neither.
  if (entry.startsWith('asset.') || entry.endsWith('.metadata.json') || ['validation-report.json', 'tree.json'].includes(entry)) {
    rmSync(join(snapshot, entry), { recursive: true, force: true });
  }
}
console.log(`recorded ${snapshot}`);
