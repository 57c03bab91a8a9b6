import type { Clock, CoreContext } from "../core/ports.js";
import type { Organisation } from "../core/directory/organisation.js";
import { migrateDatabase, openDatabase, type Database } from "../prisma/database.js";
import { PrismaDialogStore } from "../prisma/stores/dialog-store.js";
import { PrismaDirectory } from "../prisma/stores/directory-store.js";
import { PrismaTicketStore } from "../prisma/stores/ticket-store.js";
import { syncOrganisation } from "../prisma/sync-organisation.js";
import type { Config } from "./config/env.js";
import { loadOrganisationFile } from "./config/organisation-file.js";

/** The wired application: configuration, database, directory and the core's context. */
export interface App {
  config: Config;
  org: Organisation;
  db: Database;
  directory: PrismaDirectory;
  core: CoreContext;
  close(): Promise<void>;
}

/**
 * The composition root. Prepares the database (pending migrations applied, the organisation
 * file loaded into the directory), so a fresh clone runs with nothing set up by hand.
 */
export async function createApp(config: Config, options: { clock?: Clock } = {}): Promise<App> {
  const org = loadOrganisationFile(config.ORG_CONFIG);
  await migrateDatabase(config.DATABASE_URL);
  const db = await openDatabase(config.DATABASE_URL);
  try {
    await syncOrganisation(db, org);
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  const directory = new PrismaDirectory(db, org);
  const core: CoreContext = {
    org,
    tickets: new PrismaTicketStore(db),
    dialogs: new PrismaDialogStore(db),
    directory,
    clock: options.clock ?? (() => new Date()),
    timeZone: config.TZ,
    defaultLocale: config.DEFAULT_LOCALE,
  };
  return { config, org, db, directory, core, close: () => db.$disconnect() };
}
