/**
 * How many orders one INSERT carries. Starts at the batch cap; a statement that timed out (or ran
 * out of memory) is tried again at half its size, down to one order, and the size grows back by a
 * quarter after each statement that went through at full size. A database that became slow thus
 * keeps draining in smaller statements instead of retrying the same one until it is fast again.
 */
export class StatementSize {
  private size: number;

  constructor(private readonly max: number) {
    this.size = max;
  }

  get current(): number {
    return this.size;
  }

  /** A statement over `rows` orders failed in a way fewer rows may not: the next ones carry half. */
  shrink(rows: number): number {
    this.size = Math.max(1, Math.min(this.size, Math.floor(rows / 2)));
    return this.size;
  }

  /** A statement over `rows` orders went through. */
  passed(rows: number): void {
    if (rows >= this.size) this.size = Math.min(this.max, this.size + Math.ceil(this.size / 4));
  }
}
