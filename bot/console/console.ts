import { getRequestListener } from "@hono/node-server";
import { ConsoleStore } from "../../prisma/stores/console-store.js";
import { TicketBoard } from "../../prisma/stores/ticket-board.js";
import type { App } from "../app.js";
import type { Config } from "../config/env.js";
import type { Mount } from "../http/server.js";
import type { Logger } from "../logger.js";
import { ConsoleAccess } from "./console-access.js";
import { consoleApp } from "./console-app.js";
import { TicketChanges } from "./ticket-changes.js";

/** Where people open the console: CONSOLE_URL, or this machine's own address. */
export function consoleBaseUrl(config: Pick<Config, "CONSOLE_URL" | "HOST" | "PORT">): string {
  if (config.CONSOLE_URL) return config.CONSOLE_URL;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.PORT}`;
}

/** Who may use the console, on the app's database. */
export const consoleAccess = (app: App) =>
  new ConsoleAccess(new ConsoleStore(app.storage), app.core.directory, { sessionHours: app.config.CONSOLE_SESSION_HOURS, clock: app.core.clock });

/** The console, mounted at /console on the bot's HTTP server. */
export function consoleMount(app: App, log: Logger, afterChange: () => void): Mount {
  const changes = new TicketChanges(app.storage);
  const hono = consoleApp({
    access: consoleAccess(app),
    board: new TicketBoard(app.storage, app.core.clock),
    changes,
    core: app.core,
    unitOfWork: app.unitOfWork,
    outbox: app.outbox,
    secureCookies: consoleBaseUrl(app.config).startsWith("https:"),
    afterChange,
    log: log.child({ module: "console" }),
  });
  return { prefix: "/console", handler: getRequestListener(hono.fetch), close: () => changes.close() };
}
