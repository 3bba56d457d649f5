/**
 * Conversion benchmark: generates synthetic Grype, SARIF and ZAP JSON reports
 * (10 MB, 100 MB, 1 GB by default; `--sizes 10,100` to choose, `--with-2gb`
 * to add the 2 GB case), converts each end to end with the CLI
 * (`node bin/asff convert ... --output <file>`, process start to exit) and
 * prints MB/s, findings/s, peak RSS and the ratio to readFileSync + JSON.parse
 * of the same file. `--rounds N` repeats every measurement N times,
 * interleaved, and reports the median (the machine may be shared).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticReport, type SyntheticKind } from './synthetic-reports';

const MB = 1024 * 1024;
/** Where each synthetic report keeps its findings. */
const ELEMENTS: Record<SyntheticKind, string> = { grype: 'matches.*', sarif: 'runs.*.results.*', zap: 'site.*.alerts.*' };
/** JSON.parse needs the whole text as one string: V8 caps strings at ~512 MB, and the parsed tree needs several times that. */
const JSON_PARSE_LIMIT = 300 * MB;

interface Measurement {
  readonly seconds: number;
  readonly findings: number;
  readonly peakRssBytes: number;
}

function child(args: readonly string[]): Measurement | undefined {
  // The JSON.parse baseline needs room for the whole tree; the conversion runs with Node's defaults.
  const heap = args[0] === 'json-parse' ? ['--max-old-space-size=4096'] : [];
  const result = spawnSync(process.execPath, [...heap, join(__dirname, 'measure-child.js'), ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  if (result.status !== 0) {
    process.stderr.write(`  measurement failed: ${result.stderr.trim().split('\n')[0]}\n`);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Measurement;
}

/** Converts a report with the CLI as a pipeline stage runs it, timed from process start to exit. */
function cli(kind: SyntheticKind, file: string, dir: string, env: NodeJS.ProcessEnv = {}): Measurement | undefined {
  const rssFile = join(dir, 'peak-rss');
  const output = join(dir, 'findings.json');
  const args = ['-r', join(__dirname, 'peak-rss.js'), join(__dirname, '..', 'bin', 'asff'), 'convert', '--tool', kind, '--input', file];
  const scope = ['--account', '123456789012', '--region', 'eu-west-1', '--repository', 'bench', '--branch', 'main', '--output', output];
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...args, ...scope], {
    encoding: 'utf8',
    env: { ...process.env, ...env, ASFF_BENCH_RSS_FILE: rssFile },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    process.stderr.write(`  conversion failed: ${result.stderr.trim().split('\n')[0]}\n`);
    return undefined;
  }
  const findings = countFindings(output);
  rmSync(output, { force: true });
  return { seconds, findings, peakRssBytes: Number(readFileSync(rssFile, 'utf8')) };
}

/** Findings in an `asff convert` output: each starts a line with `{` (the output of a 1 GB report exceeds a string). */
function countFindings(file: string): number {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(4 * MB);
  let count = 0;
  let previous = 0;
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
      for (let i = buffer.indexOf(0x7b); i >= 0 && i < n; i = buffer.indexOf(0x7b, i + 1)) {
        if ((i === 0 ? previous : buffer[i - 1]) === 0x0a) count++;
      }
      previous = buffer[n - 1];
    }
  } finally {
    closeSync(fd);
  }
  return count;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** The median seconds and the largest peak RSS of repeated measurements; undefined when one failed. */
function summary(all: readonly (Measurement | undefined)[]): Measurement | undefined {
  if (all.length === 0 || all.some((m) => m === undefined)) return undefined;
  const done = all as readonly Measurement[];
  return { seconds: median(done.map((m) => m.seconds)), findings: done[0].findings, peakRssBytes: Math.max(...done.map((m) => m.peakRssBytes)) };
}

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

export async function main(argv: readonly string[]): Promise<void> {
  if (!existsSync(join(__dirname, '..', 'lib', 'convert.js'))) throw new Error('compile first: npx projen compile');
  const sizes = (option(argv, 'sizes') ?? '10,100,1000').split(',').map(Number).filter((n) => n > 0);
  if (argv.includes('--with-2gb')) sizes.push(2048);
  const kinds = (option(argv, 'formats') ?? 'grype,sarif,zap').split(',') as SyntheticKind[];
  const rounds = Math.max(1, Number(option(argv, 'rounds') ?? 1));
  // `--workers 0,2` measures each ASFF_CONVERT_WORKERS setting; `auto` leaves it to the CLI.
  const workers = (option(argv, 'workers') ?? 'auto').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'asff-bench-'));
  const header = [
    'report', 'size MB', 'findings', 'seconds', 'MB/s', 'findings/s', 'peak RSS MB', 'JSON.parse s', 'ratio', 'read-only s', 'read ratio',
  ];
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, ${rounds} round(s), medians\n${header.join('\t')}\n`);
  try {
    for (const size of sizes) {
      for (const kind of kinds) {
        const file = join(dir, `${kind}-${size}mb.json`);
        await writeSyntheticReport(kind, file, size * MB);
        const bytes = statSync(file).size;
        // Rounds interleave the three measurements, so a burst of load elsewhere hits all of them alike.
        const converts: (Measurement | undefined)[][] = workers.map(() => []);
        const parses: (Measurement | undefined)[] = [];
        const reads: (Measurement | undefined)[] = [];
        for (let r = 0; r < rounds; r++) {
          workers.forEach((w, i) => converts[i].push(cli(kind, file, dir, w === 'auto' ? {} : { ASFF_CONVERT_WORKERS: w })));
          parses.push(bytes <= JSON_PARSE_LIMIT ? child(['json-parse', file]) : undefined);
          reads.push(child(['read', ELEMENTS[kind], file]));
        }
        const parsed = summary(parses);
        const read = summary(reads);
        rmSync(file, { force: true });
        workers.forEach((w, i) => {
          const converted = summary(converts[i]);
          if (converted === undefined) return;
          const label = `${kind} ${w === 'auto' ? '' : `w=${w}`}`.trim();
          process.stdout.write(`${row(label, bytes, converted, parsed, read).join('\t')}\n`);
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end\n`);
  process.stdout.write(
    'ratio = end-to-end CLI conversion (process start to exit, findings written to a file) / readFileSync + JSON.parse of the same file\n',
  );
  process.stdout.write('w=N: ASFF_CONVERT_WORKERS=N (0 in-thread); without: the CLI decides\n');
  process.stdout.write('read ratio = streaming the selected elements (scanner + JSON.parse per element, no ASFF) / JSON.parse of the whole file\n');
}

function row(name: string, bytes: number, converted: Measurement, parsed: Measurement | undefined, read: Measurement | undefined): string[] {
  const mb = bytes / MB;
  return [
    name,
    mb.toFixed(0),
    String(converted.findings),
    converted.seconds.toFixed(2),
    (mb / converted.seconds).toFixed(1),
    Math.round(converted.findings / converted.seconds).toString(),
    (converted.peakRssBytes / MB).toFixed(0),
    parsed ? parsed.seconds.toFixed(2) : 'n/a',
    parsed ? (converted.seconds / parsed.seconds).toFixed(2) : 'n/a',
    read ? read.seconds.toFixed(2) : 'n/a',
    read && parsed ? (read.seconds / parsed.seconds).toFixed(2) : 'n/a',
  ];
}
