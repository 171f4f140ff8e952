import type Sqlite from 'better-sqlite3';

type Row = Record<string, unknown>;
type RowMaker = (values: unknown[]) => Row;

/** A function that makes the row object for one statement's columns, as one object literal of fixed shape. */
function rowMaker(columns: readonly string[]): RowMaker {
  // Later columns of the same name win, as they do in better-sqlite3's own rows.
  const members = columns.map((name, i) => `${JSON.stringify(name)}: values[${i}]`).join(', ');
  return new Function('values', `return { ${members} };`) as RowMaker;
}

/**
 * A reading statement whose rows better-sqlite3 returns as arrays and a function made for its columns turns into
 * objects: better-sqlite3 builds each row object one property at a time, which costs more than reading the values
 * (for a page of builds, most of the query). The rows are the same objects, with the same names and values.
 */
class RowStatement {
  readonly reader = true;
  private width = -1;
  private make: RowMaker = rowMaker([]);

  constructor(private readonly statement: Sqlite.Statement) {
    statement.raw(true);
  }

  /**
   * SQLite prepares a statement again when the schema changes, so `select *` gains the columns a migration adds; the
   * names are read again whenever the width of a row differs from the one the function was made for.
   */
  private maker(width: number): RowMaker {
    if (width !== this.width) {
      this.make = rowMaker(this.statement.columns().map((column) => column.name));
      this.width = width;
    }
    return this.make;
  }

  all(parameters: readonly unknown[]): Row[] {
    const rows = this.statement.all(parameters) as unknown[][];
    if (rows.length === 0) return [];
    return rows.map(this.maker(rows[0]?.length ?? 0));
  }

  *iterate(parameters: readonly unknown[]): IterableIterator<Row> {
    for (const values of this.statement.iterate(parameters) as IterableIterator<unknown[]>) {
      yield this.maker(values.length)(values);
    }
  }
}

/** The statement for Kysely's SQLite driver: reading ones make their rows as above, writing ones are left as they are. */
export function rowStatement(statement: Sqlite.Statement): Sqlite.Statement {
  return statement.reader ? (new RowStatement(statement) as unknown as Sqlite.Statement) : statement;
}
