/** Cursor pagination shared by every list port. Cursors are opaque: pass back exactly what a page returned. */
export interface PageRequest {
  /** Page size; adapters clamp it to 1..100 (default 50). */
  readonly limit?: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Absent on the last page. */
  readonly cursor?: string;
}
