'use strict';
/**
 * Child process of the conversion benchmark, in plain JavaScript on purpose:
 * loading TypeScript (ts-node) would add ~100 MB to the peak RSS being
 * measured. It runs the compiled library (`npx projen compile` first). The
 * conversion itself is measured end to end with the CLI (convert.ts).
 *   node measure-child.js read <selector> <file>  stream the selected elements only (the reader's own cost)
 *   node measure-child.js json-parse <file>       readFileSync + JSON.parse (the baseline)
 * Prints one JSON line: {seconds, findings, peakRssBytes}.
 */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

function peakRssBytes() {
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) return Number(kb) * 1024;
  } catch {
    // not Linux: the current RSS is the best available figure
  }
  return process.memoryUsage().rss;
}

async function main() {
  const [mode, ...rest] = process.argv.slice(2);
  // Modules load before the clock starts: the figures are about reading reports, not about startup.
  const { streamJsonElements } = require(join(__dirname, '..', 'lib', 'streams', 'json-elements.js'));
  const { fileSource } = require(join(__dirname, '..', 'lib', 'streams', 'report-source.js'));
  const started = process.hrtime.bigint();
  let findings = 0;
  if (mode === 'read') {
    const [selector, file] = rest;
    for await (const element of streamJsonElements(fileSource(file), { elements: [selector] })) {
      if (element.value !== undefined) findings++;
    }
  } else if (mode === 'json-parse') {
    findings = JSON.parse(readFileSync(rest[0], 'utf8')) === null ? 0 : 1;
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`${JSON.stringify({ seconds, findings, peakRssBytes: peakRssBytes() })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error && error.message ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
