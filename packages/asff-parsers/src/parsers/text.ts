/** Small text helpers shared by parsers. */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Plain text from the HTML fragments some tools put in descriptions (ZAP's
 * `<p>...</p>`): paragraphs become blank lines, tags go, entities decode.
 * Security Hub renders plain text, and tags would waste the 1024 characters.
 */
export function htmlToText(html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  const text = html
    .replace(/<\s*(br|\/p|\/li|\/div)\s*\/?>/gi, '\n')
    .replace(/<\s*li\s*>/gi, '- ')
    // `[^<>]`, not `[^>]`: with unclosed `<`s the latter rescans the rest of the text at each one.
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity.startsWith('#x') || entity.startsWith('#X')) return safeCodePoint(parseInt(entity.slice(2), 16), whole);
      if (entity.startsWith('#')) return safeCodePoint(parseInt(entity.slice(1), 10), whole);
      return ENTITIES[entity.toLowerCase()] ?? whole;
    })
    .split('\n')
    .map(trimBlanksEnd)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return text === '' ? undefined : text;
}

/**
 * The line without trailing spaces and tabs. A loop, because `[ \t]+\n` (or
 * `$`) retries a long run of blanks from each of its characters.
 */
function trimBlanksEnd(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
  return end === line.length ? line : line.slice(0, end);
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : fallback;
}

/**
 * An RFC 3339 timestamp from the shapes tools write: ISO strings, ISO with a
 * space instead of `T` (AWS CLI text), or epoch seconds (ECR). Undefined when
 * it is none of those.
 */
export function toIsoTimestamp(raw: unknown): string | undefined {
  let date: Date | undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) date = new Date(raw < 1e11 ? raw * 1000 : raw);
  else if (typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(raw.trim())) date = new Date(raw.trim().replace(' ', 'T'));
  return date !== undefined && !Number.isNaN(date.getTime()) ? date.toISOString() : undefined;
}

/** The first URL in a text (ZAP references are a list of URLs in HTML). */
export function firstUrl(text: string | undefined): string | undefined {
  return text?.match(/https?:\/\/[^\s<>"']+/)?.[0];
}

/** The first line/sentence of a text, for titles made from messages. */
export function firstLine(text: string | undefined): string | undefined {
  const line = text?.trim().split('\n')[0]?.trim();
  return line ? line : undefined;
}
