/**
 * Ids per `IN (...)` list: far below SQLite's limit on bound parameters (32,766) and PostgreSQL's (65,535), so a
 * user with tens of thousands of tokens is read in several statements instead of failing in one.
 */
const idsPerStatement = 500;

/** Runs `query` once per slice of `ids` and joins the rows, in slice order. */
export async function inIdSlices<Id, Row>(ids: readonly Id[], query: (slice: Id[]) => Promise<Row[]>): Promise<Row[]> {
  const rows: Row[] = [];
  for (let start = 0; start < ids.length; start += idsPerStatement) {
    rows.push(...(await query(ids.slice(start, start + idsPerStatement))));
  }
  return rows;
}
