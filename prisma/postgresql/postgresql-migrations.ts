import { join } from "node:path";
import pg from "pg";
import { PROJECT_ROOT } from "../project-root.js";
import { deployMigrations, migrationNames } from "../storage/migrations.js";

const MIGRATIONS_DIR = join(PROJECT_ROOT, "prisma", "postgresql", "migrations");

/** Held while this process looks for and applies migrations; an arbitrary number of the bot's own. */
const MIGRATING_LOCK = 4_855_310_001;

/** The migrations the database has applied; none when it has never been migrated. */
async function appliedMigrations(client: pg.Client): Promise<Set<string>> {
  const table = await client.query<{ found: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS found`);
  if (!table.rows[0]?.found) return new Set();
  const rows = await client.query<{ migration_name: string }>(
    `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Set(rows.rows.map((row) => row.migration_name));
}

/**
 * Applies PostgreSQL's pending migrations, skipping the CLI when the database is current. Processes
 * starting together take turns: each holds a lock of the bot's own while it looks and migrates
 * (`migrate deploy`'s own lock gives up after 10 s, which a slow start of several can pass), so the
 * first migrates and the others find the database current. Returns how many were pending.
 */
export async function migratePostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATING_LOCK]);
    const applied = await appliedMigrations(client);
    const pending = migrationNames(MIGRATIONS_DIR).filter((name) => !applied.has(name));
    if (pending.length > 0) await deployMigrations(url);
    return pending.length;
  } finally {
    await client.end(); // ends the session, and the lock with it
  }
}
