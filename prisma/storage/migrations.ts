import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../project-root.js";

/** The names of a migrations folder's migrations, in the order they apply. */
export function migrationNames(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/**
 * Applies pending migrations with `prisma migrate deploy`, offline through the JS engine;
 * prisma.config.ts picks the schema and migrations folder for the URL's database.
 */
export async function deployMigrations(url: string): Promise<void> {
  const prismaCli = join(dirname(createRequire(import.meta.url).resolve("prisma/package.json")), "build", "index.js");
  await promisify(execFile)(process.execPath, [prismaCli, "migrate", "deploy"], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
}
