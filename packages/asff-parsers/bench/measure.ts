/**
 * Child process of the conversion benchmark: measures one thing in a fresh
 * process so that its peak RSS (VmHWM) is its own.
 *   measure.ts convert <tool> <file>   convert, serialise each finding, count
 *   measure.ts json-parse <file>       readFileSync + JSON.parse (the baseline)
 */
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

function peakRssBytes(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // not Linux: fall back to the current RSS
  }
  return process.memoryUsage().rss;
}

/** The compiled library when present (what users run), else the sources through ts-node. */
function loadConvert(): typeof import('../src/convert') {
  const compiled = join(__dirname, '..', 'lib', 'convert.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return existsSync(compiled) ? require(compiled) : require('../src/convert');
}

async function measure(): Promise<void> {
  const [mode, ...rest] = process.argv.slice(2);
  const started = process.hrtime.bigint();
  let findings = 0;
  if (mode === 'convert') {
    const [tool, file] = rest;
    const { convert } = loadConvert();
    let outputBytes = 0;
    for await (const finding of convert({ tool, input: file, context: { account: '123456789012', region: 'eu-west-1', repository: 'bench', branch: 'main' } })) {
      outputBytes += JSON.stringify(finding).length;
      findings++;
    }
    if (outputBytes < 0) throw new Error('unreachable');
  } else if (mode === 'json-parse') {
    const value = JSON.parse(readFileSync(rest[0], 'utf8')) as unknown;
    findings = value === null ? 0 : 1;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds, findings, peakRssBytes: peakRssBytes() })}\n`);
}

measure().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
