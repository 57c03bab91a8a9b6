import pg from "pg";

/** PostgreSQL's `name` and `"char"` types, which the catalogue's columns use (prisma/prisma#27403). */
const CATALOGUE_TYPES = new Set([19, 18]);
const TEXT = 25;

type QueryResult = { fields?: { dataTypeID: number }[] };

/**
 * Prisma's PostgreSQL adapter cannot read columns of types `name` and `"char"`: `migrate deploy`
 * and `db push` read the catalogue and fail with "Column type 'name' could not be deserialized".
 * Both arrive as text on the wire, so a client that reports them as text lets the adapter read them.
 */
class CatalogueAsTextClient extends pg.Client {
  // pg's query() has many overloads (a promise, or a callback as the pool uses it): this keeps them all.
  override query(...args: unknown[]): never {
    const last = args.at(-1);
    if (typeof last === "function") {
      args[args.length - 1] = (error: unknown, result: unknown) => (last as (e: unknown, r: unknown) => void)(error, result && reportCatalogueTypesAsText(result));
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    return (result instanceof Promise ? result.then(reportCatalogueTypesAsText) : result) as never;
  }
}

function reportCatalogueTypesAsText<T>(result: T): T {
  for (const field of (result as QueryResult).fields ?? []) {
    if (CATALOGUE_TYPES.has(field.dataTypeID)) field.dataTypeID = TEXT;
  }
  return result;
}

/**
 * A pool for Prisma's PostgreSQL adapter, on connections that read the catalogue (see
 * CatalogueAsTextClient). An idle connection the server closes (a restart, a failover) is an
 * error event on the pool, which would end the process unheard: it is reported instead, and the
 * pool opens a new connection when one is next wanted.
 */
export function postgresPool(connectionString: string, options: { max?: number; pipeline?: boolean; onIdleError?: (error: Error) => void } = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    Client: CatalogueAsTextClient,
    max: options.max ?? 10,
    pipeline: options.pipeline ?? false, // see TransactionConnection
    // A transaction waits this long for a connection before it fails; idle ones are kept a while,
    // each with the Prisma client made for it (see connection-client.ts).
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 300_000,
    allowExitOnIdle: true, // idle connections do not keep a finished process (the migrate CLI) alive
  });
  pool.on("error", options.onIdleError ?? (() => {}));
  return pool;
}
