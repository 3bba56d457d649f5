/**
 * `npm run bench`: runs every benchmark part that exists in this folder.
 * A part is a module exporting `main(argv)`; add yours to PARTS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const PARTS = ['convert', 'import', 'shared-quota'];

async function run(): Promise<void> {
  const argv = process.argv.slice(2);
  for (const part of PARTS) {
    const file = join(__dirname, `${part}.ts`);
    if (!existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(file) as { main?: (argv: readonly string[]) => Promise<void> };
    if (typeof module.main !== 'function') continue;
    process.stdout.write(`\n== bench: ${part} ==\n`);
    await module.main(argv);
  }
}

run().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
