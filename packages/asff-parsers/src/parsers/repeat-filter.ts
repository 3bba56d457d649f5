import type { FindingDraft } from './parser';

/**
 * Drops a draft whose (rule id, location key) a report already yielded:
 * scanners repeat entries verbatim (a rule loaded from two configs, a file
 * scanned twice), and two drafts with one Id would overwrite each other in
 * Security Hub.
 *
 * Each key is remembered as a 64-bit hash in a 4-character string (about 45
 * bytes of heap per finding instead of the key itself), computed in plain
 * JavaScript so that hashing a million keys leaves no native garbage behind:
 * a multi-gigabyte report must stay within its memory budget. At 64 bits an
 * accidental collision stays below one in ten million for a million findings.
 */
export class RepeatFilter {
  private readonly seen = new Set<string>();

  /** True the first time a draft's (ruleId, locationKey) is offered, false for every repeat. */
  first(draft: Pick<FindingDraft, 'ruleId' | 'locationKey'>): boolean {
    const digest = hash64(`${draft.ruleId}\u0000${draft.locationKey}`);
    if (this.seen.has(digest)) return false;
    this.seen.add(digest);
    return true;
  }

  /**
   * For a location key that is stable but not always specific enough: the
   * draft as it is when its key is new, else with the first refinement (a
   * less stable detail, e.g. an absolute path) appended that makes it new,
   * else undefined — every spelling was seen, it is a verbatim repeat. The
   * common case keeps the stable key; only a real clash pays with stability.
   */
  admit(draft: FindingDraft, refinements: readonly (string | undefined)[]): FindingDraft | undefined {
    if (this.first(draft)) return draft;
    for (const refinement of refinements) {
      if (refinement === undefined || refinement === '') continue;
      const refined = { ...draft, locationKey: `${draft.locationKey}|${refinement}` };
      if (this.first(refined)) return refined;
    }
    return undefined;
  }
}

/* eslint-disable no-bitwise -- a 64-bit hash is 32-bit integer arithmetic by definition */
/** Two 32-bit multiply-xorshift lanes (cyrb53 without the final fold), as four UTF-16 units. */
function hash64(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return String.fromCharCode(h1 & 0xffff, h1 >>> 16 & 0xffff, h2 & 0xffff, h2 >>> 16 & 0xffff);
}
