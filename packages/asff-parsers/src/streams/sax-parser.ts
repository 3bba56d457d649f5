/**
 * The slice of saxes' API the XML reader uses. saxes 6 ships typings that do
 * not compile under TypeScript 5.9 without `skipLibCheck`, so the module is
 * loaded through this typed facade instead of `import`.
 */
export interface SaxTag {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SaxParser {
  on(event: 'opentag', handler: (tag: SaxTag) => void): void;
  on(event: 'closetag', handler: (tag: SaxTag) => void): void;
  on(event: 'text' | 'cdata', handler: (text: string) => void): void;
  on(event: 'attribute', handler: (attribute: { readonly name: string; readonly value: string }) => void): void;
  on(event: 'error', handler: (error: Error) => void): void;
  write(chunk: string): unknown;
  close(): unknown;
}

/** A non-namespace-aware saxes parser (attribute values are plain strings). */
export function createSaxParser(): SaxParser {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const saxes = require('saxes') as { SaxesParser: new (options: { xmlns: false; position: boolean }) => SaxParser };
  return new saxes.SaxesParser({ xmlns: false, position: true });
}
