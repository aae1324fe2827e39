/** A stored row as far as the buffer needs it: its global position. */
interface Positioned {
  position: number;
}

/**
 * The rows of this process's latest commits, oldest first, at most `capacity` of them. Positions
 * are AUTOINCREMENT: within the rows one commit inserted they follow one another, and a jump
 * between two kept rows means another process (another connection to the same file) committed
 * in between — rows this buffer never saw.
 */
export class RecentCommits<R extends Positioned> {
  private rows: R[] = [];
  /** Index of the oldest row still kept (dropped rows are sliced off in bulk, not one by one). */
  private first = 0;

  constructor(private readonly capacity: number) {}

  add(rows: readonly R[]): void {
    if (this.capacity <= 0) return;
    for (const row of rows) this.rows.push(row);
    const excess = this.rows.length - this.first - this.capacity;
    if (excess > 0) this.first += excess;
    if (this.first >= this.capacity) {
      this.rows = this.rows.slice(this.first);
      this.first = 0;
    }
  }

  clear(): void {
    this.rows = [];
    this.first = 0;
  }

  /**
   * The kept rows after position `after` that `wanted` accepts, at most `maxCount`, and the last
   * position looked at — when the kept rows account for every position from `after + 1` on.
   * Nothing kept past `after`: no rows, through `after` (this process committed nothing newer;
   * what another process did is for a read to find). Null when `after + 1` is older than the
   * oldest kept row or missing (a gap): only a read of the file can answer for that range.
   */
  after(after: number, wanted: (row: R) => boolean, maxCount: number): { rows: R[]; through: number } | null {
    const rows = this.rows;
    const end = rows.length;
    if (this.first === end) return null;
    if (after >= rows[end - 1].position) return { rows: [], through: after };
    const start = this.indexOf(after + 1);
    if (start < 0) return null;
    const out: R[] = [];
    let through = after;
    for (let i = start; i < end && out.length < maxCount; i++) {
      const row = rows[i];
      if (row.position !== through + 1) return null;
      through = row.position;
      if (wanted(row)) out.push(row);
    }
    return { rows: out, through };
  }

  /** Binary search over the kept rows (positions ascend); -1 when `position` is not kept. */
  private indexOf(position: number): number {
    let lo = this.first;
    let hi = this.rows.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const p = this.rows[mid].position;
      if (p === position) return mid;
      if (p < position) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
