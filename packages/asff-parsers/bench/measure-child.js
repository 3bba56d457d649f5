'use strict';
/**
 * Child process of the conversion benchmark, in plain JavaScript on purpose:
 * loading TypeScript (ts-node) would add ~100 MB to the peak RSS being
 * measured. It runs the compiled library (`npx projen compile` first).
 *   node measure-child.js convert <tool> <file>   convert + serialise each finding
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
  const { convert } = require(join(__dirname, '..', 'lib', 'convert.js'));
  const { streamJsonElements } = require(join(__dirname, '..', 'lib', 'streams', 'json-elements.js'));
  const { fileSource } = require(join(__dirname, '..', 'lib', 'streams', 'report-source.js'));
  const started = process.hrtime.bigint();
  let findings = 0;
  if (mode === 'convert') {
    const [tool, file] = rest;
    let outputChars = 0;
    for await (const finding of convert({ tool, input: file, context: { account: '123456789012', region: 'eu-west-1', repository: 'bench', branch: 'main' } })) {
      outputChars += JSON.stringify(finding).length;
      findings++;
    }
    if (outputChars === 0 && findings > 0) throw new Error('no output');
  } else if (mode === 'read') {
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
