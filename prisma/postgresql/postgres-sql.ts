import pg from "pg";
import { numberedPlaceholders, type Sql, type SqlValue } from "../storage/storage.js";

/** What runs a statement: one pooled connection (inside a transaction) or the pool (outside one). */
export interface Queryable {
  query(config: pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult>;
  query(text: string): Promise<pg.QueryResult>;
}

/**
 * A connection whose statements run one after another even when work issues several at once
 * (a `Promise.all` of reads in a transaction, Prisma loading relations): node-postgres queues
 * them itself, but warns that its next major version will refuse to.
 */
export function oneAtATime(connection: pg.PoolClient): Queryable {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    query(...args: unknown[]): Promise<pg.QueryResult> {
      const result = tail.then(() => (connection.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args));
      tail = result.catch(() => {});
      return result;
    },
  };
}

const TIMESTAMP = 1114;

/**
 * The schema's times are `timestamp(3)` without a time zone, holding UTC as Prisma writes them. pg
 * would read them, and write Dates, in the process's time zone (TZ is the business time zone here),
 * so both directions are UTC explicitly.
 */
const UTC_TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMP ? (text: string) => new Date(`${text.replace(" ", "T")}Z`) : (pg.types.getTypeParser as (o: number, f?: string) => unknown)(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

function toPostgres(value: SqlValue): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * The port's statements straight on node-postgres: through Prisma's client each one cost about
 * 150 µs of CPU more, and its interactive transactions another 500 µs. `?` placeholders become
 * `$1…` (cached per statement text); an insert's id comes from `RETURNING "id"`.
 */
export class PostgresSql implements Sql {
  private static readonly numbered = new Map<string, string>();

  /** @param isCurrent false once the transaction these statements belong to has ended */
  constructor(
    private readonly connection: Queryable,
    private readonly isCurrent: () => boolean = () => true,
  ) {}

  async run(sql: string, ...params: SqlValue[]): Promise<number> {
    return (await this.query(sql, params)).rowCount ?? 0;
  }

  async insert(sql: string, ...params: SqlValue[]): Promise<number> {
    const { rows } = await this.query(`${sql} RETURNING "id"`, params);
    return Number((rows[0] as { id: number }).id);
  }

  async insertRows(table: string, columns: readonly string[], rows: SqlValue[][]): Promise<void> {
    if (rows.length === 0) return;
    const tuple = `(${columns.map(() => "?").join(", ")})`;
    await this.run(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES ${Array(rows.length).fill(tuple).join(", ")}`, ...rows.flat());
  }

  async get<T>(sql: string, ...params: SqlValue[]): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async all<T>(sql: string, ...params: SqlValue[]): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  private query(sql: string, params: SqlValue[]): Promise<pg.QueryResult> {
    if (!this.isCurrent()) return Promise.reject(new Error("a transaction's statement ran after the transaction ended"));
    return this.connection.query({ text: PostgresSql.numberedFor(sql), values: params.map(toPostgres), types: UTC_TYPES });
  }

  private static numberedFor(sql: string): string {
    let numbered = this.numbered.get(sql);
    if (numbered === undefined) {
      numbered = numberedPlaceholders(sql);
      if (this.numbered.size < 10_000) this.numbered.set(sql, numbered); // statements built per row count stay few
    }
    return numbered;
  }
}
