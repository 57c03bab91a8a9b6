import { getRequestListener } from "@hono/node-server";
import { ConsoleSubmissionStore } from "../../prisma/stores/console-submission-store.js";
import { TicketBoard } from "../../prisma/stores/ticket-board.js";
import type { App } from "../app.js";
import type { Mount } from "../http/server.js";
import type { Logger } from "../logger.js";
import { consoleAccess, consoleBaseUrl } from "./console-links.js";
import { consoleApp } from "./console-app.js";
import { TicketChanges } from "./ticket-changes.js";
import type { FileDownloads } from "./ticket-files.js";

/** A file that takes longer than this to come from its platform is reported as failed. */
export const FILE_TIMEOUT_MS = 20_000;

/**
 * The console, mounted at /console on the bot's HTTP server; `downloads` are the connected
 * platforms' ways to fetch the files people sent.
 */
export function consoleMount(app: App, log: Logger, afterChange: () => void, files: { downloads?: FileDownloads; timeoutMs?: number } = {}): Mount {
  const changes = new TicketChanges(app.storage);
  const hono = consoleApp({
    access: consoleAccess(app),
    board: new TicketBoard(app.storage, app.core.clock),
    changes,
    core: app.core,
    unitOfWork: app.unitOfWork,
    submissions: new ConsoleSubmissionStore(app.storage),
    outbox: app.outbox,
    records: app.ticketRecords,
    archive: app.documents,
    periodRecords: app.periodRecords,
    downloads: files.downloads ?? {},
    fileTimeoutMs: files.timeoutMs ?? FILE_TIMEOUT_MS,
    secureCookies: consoleBaseUrl(app.config).startsWith("https:"),
    afterChange,
    log: log.child({ module: "console" }),
  });
  return { prefix: "/console", handler: getRequestListener(hono.fetch), close: () => changes.close() };
}
