import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where integ-runner keeps the snapshot of `integ.factory.ts`. */
export const SNAPSHOT_DIR = join(__dirname, 'integ.factory.ts.snapshot');

/**
 * Synthesizes the integ test app exactly as integ-runner does (the app reads
 * its output directory from CDK_OUTDIR) and returns the assembly directory.
 */
export function synthesizeIntegApp(outdir = mkdtempSync(join(tmpdir(), 'integ-factory-'))): string {
  const previous = process.env.CDK_OUTDIR;
  process.env.CDK_OUTDIR = outdir;
  try {
    // The integ app synthesizes on import, like integ-runner's `node integ.factory.js`; isolateModules needs a synchronous load.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jest.isolateModules(() => require('./integ.factory'));
  } finally {
    if (previous === undefined) delete process.env.CDK_OUTDIR; else process.env.CDK_OUTDIR = previous;
  }
  return outdir;
}

/** The files integ-runner compares: the templates and the integ manifest. */
export function snapshotFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.template.json') || f === 'integ.json').sort();
}

/**
 * Asset hashes change with every byte of bundled code; like integ-runner's
 * default (diffAssets: false) the comparison ignores them. Assertions carry a
 * time-based salt so that they re-run on every deployment.
 */
export function normalized(dir: string, file: string): unknown {
  return JSON.parse(readFileSync(join(dir, file), 'utf-8')
    .replace(/[0-9a-f]{64}/g, '<asset-hash>')
    .replace(/"salt": ?"\d+"/g, '"salt": "<time>"'));
}
