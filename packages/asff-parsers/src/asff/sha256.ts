import * as crypto from 'node:crypto';

/**
 * SHA-256 of a UTF-8 string as hex. One-shot `crypto.hash` (Node >= 20.12) is
 * several times cheaper than a Hash object, and the converter hashes every
 * finding; older Node 20 releases fall back to `createHash`.
 */
export function sha256Hex(text: string): string {
  return typeof crypto.hash === 'function' ? crypto.hash('sha256', text, 'hex') : crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
