/**
 * A 64-bit hash of a corpus's word ids as the counting pass reads them (two
 * FNV-1a-style lanes over 32-bit values): cheap enough to take on every run,
 * and what a checkpoint remembers to tell the same text from other text
 * when there is no file whose size could say it.
 */
export class CorpusIdHash {
  private low = 0x811c9dc5;
  private high = 0x01000193;

  add(ids: Int32Array): void {
    let low = this.low;
    let high = this.high;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      low = Math.imul(low ^ id, 0x01000193);
      high = Math.imul(high ^ (id + 0x9e3779b9), 0x85ebca6b) ^ (low >>> 15);
    }
    this.low = low;
    this.high = high;
  }

  /** 16 hexadecimal digits. */
  digest(): string {
    const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    return hex(this.high) + hex(this.low);
  }
}
