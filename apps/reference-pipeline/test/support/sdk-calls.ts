import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** One AWS SDK v3 command some module sends: `new GetObjectCommand(` imported from `@aws-sdk/client-s3`. */
export interface SdkCall {
  /** The client package's service: `s3`, `securityhub`, … */
  readonly client: string;
  /** The operation: `GetObject`. */
  readonly operation: string;
  /** The module (relative to the source root) that constructs it. */
  readonly file: string;
}

function resolveModule(from: string, specifier: string): string | undefined {
  const base = join(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((candidate) => existsSync(candidate));
}

/**
 * Every SDK command constructed by the module `entry` and the local modules it imports, transitively: what the
 * bundled Lambda or CLI command can send. Type-only imports are followed too (harmless: they construct nothing).
 */
export function sdkCalls(entry: string, sourceRoot: string): SdkCall[] {
  const seen = new Set<string>();
  const calls: SdkCall[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const clientOf = new Map<string, string>();
    for (const m of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
      const names = m[1].split(',').map((n) => n.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop()!).filter(Boolean);
      const client = /^@aws-sdk\/client-(.+)$/.exec(m[2])?.[1];
      if (client) for (const name of names) clientOf.set(name, client);
    }
    for (const m of text.matchAll(/new\s+([A-Z]\w*)Command\s*\(/g)) {
      const client = clientOf.get(`${m[1]}Command`);
      if (!client) throw new Error(`${relative(sourceRoot, file)}: new ${m[1]}Command( is not imported from an @aws-sdk client`);
      calls.push({ client, operation: m[1], file: relative(sourceRoot, file) });
    }
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
      const target = resolveModule(file, m[1]);
      if (target) visit(target);
    }
  };
  visit(entry);
  return calls;
}
