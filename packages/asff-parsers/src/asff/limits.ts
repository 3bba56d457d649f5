/** Security Hub's documented limits for one finding. */
export const LIMITS = {
  idChars: 512,
  titleChars: 256,
  descriptionChars: 1024,
  remediationTextChars: 512,
  generatorIdChars: 512,
  severityOriginalChars: 64,
  types: 50,
  resources: 32,
  resourceTypeChars: 256,
  productFields: 50,
  productFieldKeyChars: 128,
  productFieldValueChars: 2048,
  /** Every string stays below 32 KB. */
  stringBytes: 32 * 1024 - 1,
  /** 240 KB per finding, as JSON. */
  findingBytes: 240 * 1024,
} as const;

/** Appended to every shortened value, so a reader sees that something was cut. */
export const TRUNCATION_MARKER = ' …[truncated]';

/** Cuts text to at most `max` characters, ending with the truncation marker; never splits a surrogate pair. */
export function truncateChars(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - TRUNCATION_MARKER.length);
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return text.slice(0, end) + TRUNCATION_MARKER;
}

/** Cuts text to at most `maxBytes` UTF-8 bytes, ending with the truncation marker. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(TRUNCATION_MARKER, 'utf8'));
  // Decoding a byte-cut prefix may end in a replacement character; drop it.
  let prefix = Buffer.from(text, 'utf8').subarray(0, budget).toString('utf8');
  if (prefix.endsWith('\uFFFD') && !text.startsWith(prefix)) prefix = prefix.slice(0, -1);
  while (Buffer.byteLength(prefix, 'utf8') > budget) prefix = prefix.slice(0, -1);
  return prefix + TRUNCATION_MARKER;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
