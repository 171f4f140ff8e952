/** PostgreSQL `integer` columns hold 32 bits and refuse a larger parameter with an error; SQLite compares any size. */
const int32 = { min: -2_147_483_648, max: 2_147_483_647 };

/** Whether an id can be stored at all: one that cannot matches no row, on either backend. */
export function isStorableId(id: number): boolean {
  return Number.isSafeInteger(id) && id >= int32.min && id <= int32.max;
}

/** A bound for a range comparison on an id column, moved into range without changing which stored ids it admits. */
export function idBound(id: number): number {
  return Math.min(Math.max(Math.trunc(id), int32.min), int32.max);
}
