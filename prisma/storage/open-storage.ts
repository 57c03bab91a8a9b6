import { migratePostgres } from "../postgresql/postgresql-migrations.js";
import { PostgresStorage } from "../postgresql/postgresql-storage.js";
import { migrateDatabase } from "../sqlite/sqlite-database.js";
import { SqliteStorage } from "../sqlite/sqlite-storage.js";
import type { Dialect, OpenStorage } from "./storage.js";

/** Which database a `DATABASE_URL` names: `file:` is SQLite, `postgres://` or `postgresql://` PostgreSQL. */
export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:\/\//.test(url) ? "postgresql" : "sqlite";
}

/** Applies pending migrations to the database at `url`; returns how many there were. */
export function migrateStorage(url: string): Promise<number> {
  return dialectOf(url) === "postgresql" ? migratePostgres(url) : migrateDatabase(url);
}

/** Opens the database at `url` behind the storage port. */
export function openStorage(url: string): Promise<OpenStorage> {
  return dialectOf(url) === "postgresql" ? PostgresStorage.open(url) : SqliteStorage.open(url);
}
