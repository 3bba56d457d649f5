'use strict';
/**
 * Preloaded (`node -r`) into the `asff` process the conversion benchmark runs
 * end to end: at exit it writes the process's peak RSS (VmHWM, all threads) to
 * the file named by ASFF_BENCH_RSS_FILE, so the CLI itself needs no bench hook.
 */
const { readFileSync, writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.ASFF_BENCH_RSS_FILE;
  if (!file) return;
  let bytes = process.memoryUsage().rss;
  try {
    const kb = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb !== undefined) bytes = Number(kb) * 1024;
  } catch {
    // not Linux: the current RSS is the best available figure
  }
  writeFileSync(file, String(bytes));
});
