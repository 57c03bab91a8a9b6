import type { Clock, CoreContext, InboundLog } from "../core/ports.js";
import { consoleLinksOn } from "./console/console-links.js";
import type { Organisation } from "../core/directory/organisation.js";
import { migrateStorage, openStorage } from "../prisma/storage/open-storage.js";
import type { Database, OpenStorage, Storage } from "../prisma/storage/storage.js";
import { ConsoleSubmissionStore } from "../prisma/stores/console-submission-store.js";
import { SqlInboundLog } from "../prisma/stores/inbound-log.js";
import { InboundRequestStore } from "../prisma/stores/inbound-request-store.js";
import { OutboxStore } from "../prisma/stores/outbox-store.js";
import { ProcessRegistry } from "../prisma/stores/process-registry.js";
import { PrismaInviteStore } from "../prisma/stores/invite-store.js";
import { PrismaDeadlineStore } from "../prisma/stores/deadline-store.js";
import { dialogStoreOutsideUnits, SqlDialogStore } from "../prisma/stores/dialog-store.js";
import { PrismaReportStore } from "../prisma/stores/report-store.js";
import { DocumentStore } from "../prisma/stores/document-store.js";
import { DirectoryCache, PrismaDirectory } from "../prisma/stores/directory-store.js";
import { PrismaTicketStore } from "../prisma/stores/ticket-store.js";
import { syncOrganisation } from "../prisma/sync-organisation.js";
import type { Config } from "./config/env.js";
import { loadOrganisationFile } from "./config/organisation-file.js";
import { OutboundDocuments } from "./documents/outbound-files.js";
import { PeriodDocuments } from "./documents/period-documents.js";
import { TicketDocuments } from "./documents/ticket-documents.js";
import type { PeriodRecordFiler } from "../core/records/daily-record-flows.js";
import { createLogger, type Logger } from "./logger.js";

/** What a unit of work's stores are, all on its transaction: the core's, the inbound log, the console's forms. */
export interface UnitScope {
  core: CoreContext;
  inbound: InboundLog;
  /** The console's one-time form keys, claimed with the effects of the form that sent them. */
  submissions: ConsoleSubmissionStore;
}

/** The core's UnitOfWork, whose scope also holds the adapters' stores that must commit with it. */
export interface AppUnitOfWork {
  run<T>(work: (scope: UnitScope) => Promise<T>): Promise<T>;
}

/** The wired application: configuration, database, directory and the core's context. */
export interface App {
  config: Config;
  org: Organisation;
  /** The database behind the storage port (SQLite or PostgreSQL, by DATABASE_URL). */
  storage: OpenStorage;
  /** Its Prisma client, for reads. */
  db: Database;
  directory: PrismaDirectory;
  core: CoreContext;
  /** Runs work in one transaction, with a core context whose stores all use it. */
  unitOfWork: AppUnitOfWork;
  /** This process among the bot's processes: what it claims, others take over when it is gone. */
  processes: ProcessRegistry;
  /** Outgoing messages as the delivery path claims, sends and settles them. */
  outbox: OutboxStore;
  /** Requests answered at once and handled after (Slack, WeCom), kept until handled. */
  inboundRequests: InboundRequestStore;
  /** Generated documents as they were made, with their checksums (manual §4: 归档保存). */
  documents: DocumentStore;
  /** Makes a ticket's form (PDF or XLSX) and keeps it in `documents`. */
  ticketRecords: TicketDocuments;
  /** Makes the daily records and the weekly measures (XLSX, PDF, their charts as PNG) and keeps them in `documents`. */
  periodRecords: PeriodRecordFiler;
  /** The files the outbox sends: tickets' forms and kept documents. */
  outboundFiles: OutboundDocuments;
  close(): Promise<void>;
}

/**
 * The composition root. Prepares the database (pending migrations applied, the organisation
 * file loaded into the directory), so a fresh clone runs with nothing set up by hand.
 */
export async function createApp(config: Config, options: { clock?: Clock; role?: string; log?: Logger } = {}): Promise<App> {
  const org = loadOrganisationFile(config.ORG_CONFIG);
  await migrateStorage(config.DATABASE_URL);
  const storage = await openStorage(config.DATABASE_URL);
  try {
    await syncOrganisation(storage, org);
  } catch (error) {
    await storage.close();
    throw error;
  }
  const clock = options.clock ?? (() => new Date());
  const directoryCache = new DirectoryCache();
  const invitesLog = (options.log ?? createLogger(config.LOG_LEVEL)).child({ module: "invites" });
  const coreOn = (scope: Storage, dialogs: CoreContext["dialogs"], directory = new PrismaDirectory(scope, org, directoryCache)): CoreContext => ({
    org,
    tickets: new PrismaTicketStore(scope, clock),
    dialogs,
    directory,
    invites: new PrismaInviteStore(scope, { onBindingsChanged: () => directoryCache.invalidate(), log: invitesLog }),
    deadlines: new PrismaDeadlineStore(scope, clock),
    reports: new PrismaReportStore(scope, clock),
    consoleLinks: consoleLinksOn(scope, directory, config, clock),
    clock,
    timeZone: config.TZ,
    defaultLocale: config.DEFAULT_LOCALE,
  });
  const core = coreOn(storage, dialogStoreOutsideUnits(storage));
  const directory = core.directory as PrismaDirectory;
  const processes = new ProcessRegistry(storage);
  await processes.register(options.role ?? "cli");
  const unitOfWork: AppUnitOfWork = {
    // A unit's stores all use the transaction it is handed.
    run: (work) =>
      storage.transaction((tx) => work({ core: coreOn(tx, new SqlDialogStore(tx)), inbound: new SqlInboundLog(tx, processes.id), submissions: new ConsoleSubmissionStore(tx) })),
  };
  const close = async () => {
    await processes.unregister();
    await storage.close();
  };
  const documents = new DocumentStore(storage, clock);
  const pdfFont = { path: config.DOCUMENT_FONT, face: config.DOCUMENT_FONT_FACE };
  const ticketRecords = new TicketDocuments({ core, archive: documents, font: pdfFont });
  const periodRecords = new PeriodDocuments({ core, archive: documents, fonts: { pdf: pdfFont, chart: { ...pdfFont, family: config.DOCUMENT_FONT_FAMILY } } });
  return {
    config, org, storage, db: storage.prisma, directory, core, unitOfWork, processes,
    outbox: new OutboxStore(storage, processes.id), inboundRequests: new InboundRequestStore(storage, processes.id), documents, ticketRecords, periodRecords, close,
    outboundFiles: new OutboundDocuments({ org, archive: documents, ticketRecords }),
  };
}
