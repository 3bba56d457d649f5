import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Set by esbuild in the single-file bundles (scripts/bundle-asff.js), where no package.json sits beside the code. */
declare const __ASFF_VERSION__: string | undefined;

/** The version of @devsecops-factory/asff-parsers this CLI (or Lambda) was built from. */
export function packageVersion(): string {
  if (typeof __ASFF_VERSION__ === 'string') return __ASFF_VERSION__;
  // lib/cli/version.js -> package.json
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf-8')) as { version: string }).version;
}
