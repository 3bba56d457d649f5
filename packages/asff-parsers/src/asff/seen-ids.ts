/* eslint-disable no-bitwise -- an open-addressing hash table: power-of-two masks and 32-bit string hashing */

/**
 * The Ids already used in one report, kept as 52-bit keys in an
 * open-addressing table of doubles: 16 bytes per Id instead of ~40 for a
 * `Set` of strings or heap numbers, so tracking millions of findings of a
 * multi-gigabyte report stays within a few tens of megabytes.
 */
export class SeenIds {
  private table = new Float64Array(1 << 12);
  private count = 0;

  /**
   * Records the Id; returns false when it was seen before. Ids compare by the
   * first 52 bits of their hash part (hex after the last `/`): a false match
   * is 1 in 2^52 per pair and only gives a later finding an occurrence suffix.
   */
  add(id: string): boolean {
    const key = keyOf(id);
    if (this.count * 2 >= this.table.length) this.grow();
    const inserted = insert(this.table, key);
    if (inserted) this.count++;
    return inserted;
  }

  /** How many distinct Ids were recorded. */
  get size(): number {
    return this.count;
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    for (const key of old) if (key !== 0) insert(this.table, key);
  }
}

/** 52 bits of the hex hash after the last `/`, plus one so that 0 can mark an empty slot. */
function keyOf(id: string): number {
  const start = id.lastIndexOf('/') + 1;
  const hex = id.slice(start, start + 13);
  // Ids without a 13-digit hex hash (never produced by the builder) still get a key.
  return (/^[0-9a-f]{13}$/.test(hex) ? parseInt(hex, 16) : hashString(id)) + 1;
}

function hashString(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) >>> 0;
  return h;
}

function insert(table: Float64Array, key: number): boolean {
  const mask = table.length - 1;
  let slot = (key % 0x7fffffff) & mask;
  while (table[slot] !== 0) {
    if (table[slot] === key) return false;
    slot = (slot + 1) & mask;
  }
  table[slot] = key;
  return true;
}
