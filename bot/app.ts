import type { Clock, CoreContext, UnitOfWork } from "../core/ports.js";
import type { Organisation } from "../core/directory/organisation.js";
import { migrateDatabase, openDatabase, transact, type Database } from "../prisma/database.js";
import { SqliteInboundLog } from "../prisma/stores/inbound-log.js";
import { InboundRequestStore } from "../prisma/stores/inbound-request-store.js";
import { OutboxStore } from "../prisma/stores/outbox-store.js";
import { ProcessRegistry } from "../prisma/stores/process-registry.js";
import { PrismaInviteStore } from "../prisma/stores/invite-store.js";
import { PrismaDeadlineStore } from "../prisma/stores/deadline-store.js";
import { SqliteDialogStore } from "../prisma/stores/dialog-store.js";
import { PrismaReportStore } from "../prisma/stores/report-store.js";
import { DirectoryCache, PrismaDirectory } from "../prisma/stores/directory-store.js";
import { PrismaTicketStore } from "../prisma/stores/ticket-store.js";
import { syncOrganisation } from "../prisma/sync-organisation.js";
import type { Config } from "./config/env.js";
import { loadOrganisationFile } from "./config/organisation-file.js";
import { createLogger, type Logger } from "./logger.js";

/** The wired application: configuration, database, directory and the core's context. */
export interface App {
  config: Config;
  org: Organisation;
  db: Database;
  directory: PrismaDirectory;
  core: CoreContext;
  /** Runs work in one transaction, with a core context whose stores all use it. */
  unitOfWork: UnitOfWork;
  /** This process among the bot's processes: what it claims, others take over when it is gone. */
  processes: ProcessRegistry;
  /** Outgoing messages as the delivery path claims, sends and settles them. */
  outbox: OutboxStore;
  /** Requests answered at once and handled after (Slack, WeCom), kept until handled. */
  inboundRequests: InboundRequestStore;
  close(): Promise<void>;
}

/**
 * The composition root. Prepares the database (pending migrations applied, the organisation
 * file loaded into the directory), so a fresh clone runs with nothing set up by hand.
 */
export async function createApp(config: Config, options: { clock?: Clock; role?: string; log?: Logger } = {}): Promise<App> {
  const org = loadOrganisationFile(config.ORG_CONFIG);
  await migrateDatabase(config.DATABASE_URL);
  const db = await openDatabase(config.DATABASE_URL);
  try {
    await syncOrganisation(db, org);
  } catch (error) {
    await db.$disconnect();
    throw error;
  }
  const clock = options.clock ?? (() => new Date());
  const directoryCache = new DirectoryCache();
  const invitesLog = (options.log ?? createLogger(config.LOG_LEVEL)).child({ module: "invites" });
  const coreOn = (client: Database): CoreContext => ({
    org,
    tickets: new PrismaTicketStore(client, clock),
    dialogs: new SqliteDialogStore(client),
    directory: new PrismaDirectory(client, org, directoryCache),
    invites: new PrismaInviteStore(client, { onBindingsChanged: () => directoryCache.invalidate(), log: invitesLog }),
    deadlines: new PrismaDeadlineStore(client, clock),
    reports: new PrismaReportStore(client, clock),
    clock,
    timeZone: config.TZ,
    defaultLocale: config.DEFAULT_LOCALE,
  });
  const core = coreOn(db);
  const directory = core.directory as PrismaDirectory;
  // A unit's stores use the client it is handed, whose statements are part of its transaction.
  const processes = new ProcessRegistry(db);
  await processes.register(options.role ?? "cli");
  const unitOfWork: UnitOfWork = {
    run: (work) => transact(db, (tx) => work({ core: coreOn(tx), inbound: new SqliteInboundLog(tx, processes.id) })),
  };
  const close = async () => {
    await processes.unregister();
    await db.$disconnect();
  };
  return { config, org, db, directory, core, unitOfWork, processes, outbox: new OutboxStore(db, processes.id), inboundRequests: new InboundRequestStore(db, processes.id), close };
}
