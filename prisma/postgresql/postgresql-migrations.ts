import { join } from "node:path";
import pg from "pg";
import { PROJECT_ROOT } from "../project-root.js";
import { deployMigrations, migrationNames } from "../storage/migrations.js";

const MIGRATIONS_DIR = join(PROJECT_ROOT, "prisma", "postgresql", "migrations");

/** The migrations the database has applied; none when it has never been migrated. */
async function appliedMigrations(url: string): Promise<Set<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = await client.query<{ found: string | null }>(`SELECT to_regclass('_prisma_migrations')::text AS found`);
    if (!table.rows[0]?.found) return new Set();
    const rows = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    return new Set(rows.rows.map((row) => row.migration_name));
  } finally {
    await client.end();
  }
}

/**
 * Applies PostgreSQL's pending migrations, skipping the CLI when the database is current. Processes
 * starting together are safe: `migrate deploy` holds an advisory lock while it migrates. Returns
 * how many migrations were pending.
 */
export async function migratePostgres(url: string): Promise<number> {
  const applied = await appliedMigrations(url);
  const pending = migrationNames(MIGRATIONS_DIR).filter((name) => !applied.has(name));
  if (pending.length > 0) await deployMigrations(url);
  return pending.length;
}
