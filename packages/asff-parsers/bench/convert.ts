/**
 * Conversion benchmark: generates synthetic Grype, SARIF and ZAP JSON reports
 * (10 MB, 100 MB, 1 GB by default; `--sizes 10,100` to choose, `--with-2gb`
 * to add the 2 GB case), converts each in a child process and prints MB/s,
 * findings/s, peak RSS and the ratio to a bare JSON.parse of the same file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

function option(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

export async function main(argv: readonly string[]): Promise<void> {
  if (!existsSync(join(__dirname, '..', 'lib', 'convert.js'))) throw new Error('compile first: npx projen compile');
  const sizes = (option(argv, 'sizes') ?? '10,100,1000').split(',').map(Number).filter((n) => n > 0);
  if (argv.includes('--with-2gb')) sizes.push(2048);
  const kinds = (option(argv, 'formats') ?? 'grype,sarif,zap').split(',') as SyntheticKind[];
  const dir = mkdtempSync(join(tmpdir(), 'asff-bench-'));
  const header = ['report', 'size MB', 'findings', 'seconds', 'MB/s', 'findings/s', 'peak RSS MB', 'JSON.parse s', 'ratio', 'read-only s', 'read ratio'];
  process.stdout.write(`${header.join('\t')}\n`);
  try {
    for (const size of sizes) {
      for (const kind of kinds) {
        const file = join(dir, `${kind}-${size}mb.json`);
        await writeSyntheticReport(kind, file, size * MB);
        const bytes = statSync(file).size;
        const converted = child(['convert', kind, file]);
        const parsed = bytes <= JSON_PARSE_LIMIT ? child(['json-parse', file]) : undefined;
        const read = child(['read', ELEMENTS[kind], file]);
        rmSync(file, { force: true });
        if (converted === undefined) continue;
        const mb = bytes / MB;
        const row = [
          kind,
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
        process.stdout.write(`${row.join('\t')}\n`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write('ratio = conversion time / JSON.parse time of the same file (conversion also builds, limits and serialises every finding)\n');
  process.stdout.write('read ratio = streaming the selected elements (scanner + JSON.parse per element, no ASFF) / JSON.parse of the whole file\n');
}
