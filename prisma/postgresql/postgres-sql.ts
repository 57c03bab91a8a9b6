import pg from "pg";
import { numberedPlaceholders, type Sql, type SqlValue } from "../storage/storage.js";

/** What runs a statement: one pooled connection (inside a transaction) or the pool (outside one). */
export interface Queryable {
  query(config: pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult>;
  query(text: string): Promise<pg.QueryResult>;
}

/**
 * A pooled connection for transactions, in pg's pipeline mode: PostgreSQL runs statements in the
 * order they were issued, and those issued in the same turn of the event loop (a lock and the
 * read behind it) go out in one write. BEGIN waits for the transaction's first statement and goes
 * out with it. Every write to the server's socket costs the process a system call and, on a
 * machine whose cores are busy, a turn of the CPU to the server's process woken by it: on the
 * Telegram benchmark they took a third of the bot's profiled time.
 */
export class TransactionConnection implements Queryable {
  /** BEGIN as sent, or undefined while this transaction has sent nothing. */
  private begun: Promise<unknown> | undefined;
  private open = false;
  private corked = false;

  constructor(private readonly client: pg.PoolClient) {}

  /** Starts a transaction; BEGIN is sent with its first statement. */
  begin(): void {
    this.open = true;
    this.begun = undefined;
  }

  /** Commits (or rolls back) what was sent; a transaction that sent nothing has nothing to end. */
  async end(statement: "COMMIT" | "ROLLBACK"): Promise<void> {
    this.open = false;
    if (this.begun === undefined) return;
    await this.begun;
    await this.client.query(statement);
  }

  query(config: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult> {
    this.holdWritesForThisTurn();
    if (!this.open || this.begun !== undefined) return this.client.query(config as pg.QueryConfig, values);
    const begun = (this.begun = this.client.query("BEGIN"));
    begun.catch(() => {}); // its failure is the statement's, and end()'s
    const result = this.client.query(config as pg.QueryConfig, values);
    return Promise.all([begun, result]).then(([, answer]) => answer);
  }

  /** Statements issued until the current turn's work is done are written together. */
  private holdWritesForThisTurn(): void {
    if (this.corked) return;
    const { stream } = (this.client as unknown as pg.Client).connection; // the pool's clients are Clients
    this.corked = true;
    stream.cork();
    process.nextTick(() => {
      this.corked = false;
      stream.uncork();
    });
  }
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

/** How many distinct statements each connection keeps prepared; the rest are parsed each time they run. */
const PREPARED_LIMIT = 1_000;

/**
 * The port's statements straight on node-postgres: through Prisma's client each one cost about
 * 150 µs of CPU more, and its interactive transactions another 500 µs. `?` placeholders become
 * `$1…`; an insert's id comes from `RETURNING "id"`. Each statement text is prepared once per
 * connection under a name of its own: parsing and planning it at every run cost the server more
 * than running it (a chat message's statements ran about 1.4 × as fast prepared).
 */
export class PostgresSql implements Sql {
  private static readonly prepared = new Map<string, { name: string; text: string }>();

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
    return this.connection.query({ ...PostgresSql.statement(sql), values: params.map(toPostgres), types: UTC_TYPES });
  }

  /**
   * The statement as PostgreSQL runs it, named while fewer than PREPARED_LIMIT are (statements
   * built per row count, `IN (?, ?…)` lists, stay few; a name always stands for one text).
   */
  private static statement(sql: string): { name?: string; text: string } {
    const prepared = this.prepared.get(sql);
    if (prepared) return prepared;
    const text = numberedPlaceholders(sql);
    if (this.prepared.size >= PREPARED_LIMIT) return { text };
    const statement = { name: `hotline_${this.prepared.size + 1}`, text };
    this.prepared.set(sql, statement);
    return statement;
  }
}
