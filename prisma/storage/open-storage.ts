import type { Dialect, OpenStorage } from "./storage.js";

/*
 * Each engine is loaded only when a URL names it: a SQLite deployment never loads PostgreSQL's
 * client and driver (tens of megabytes of memory), nor the other way round.
 */

/** Which database a `DATABASE_URL` names: `file:` is SQLite, `postgres://` or `postgresql://` PostgreSQL. */
export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** Applies pending migrations to the database at `url`; returns how many there were. */
export async function migrateStorage(url: string): Promise<number> {
  if (dialectOf(url) === "postgresql") return (await import("../postgresql/postgresql-migrations.js")).migratePostgres(url);
  return (await import("../sqlite/sqlite-database.js")).migrateDatabase(url);
}

/** Opens the database at `url` behind the storage port. */
export async function openStorage(url: string): Promise<OpenStorage> {
  if (dialectOf(url) === "postgresql") return (await import("../postgresql/postgresql-storage.js")).PostgresStorage.open(url);
  return (await import("../sqlite/sqlite-storage.js")).SqliteStorage.open(url);
}
