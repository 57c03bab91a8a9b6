import type { Clock, ConsoleLinks, Directory } from "../../core/ports.js";
import type { Storage } from "../../prisma/storage/storage.js";
import { ConsoleStore } from "../../prisma/stores/console-store.js";
import type { App } from "../app.js";
import type { Config } from "../config/env.js";
import { ConsoleAccess } from "./console-access.js";

/** Where people open the console: CONSOLE_URL, or this machine's own address. */
export function consoleBaseUrl(config: Pick<Config, "CONSOLE_URL" | "HOST" | "PORT">): string {
  if (config.CONSOLE_URL) return config.CONSOLE_URL;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${config.PORT}`;
}

/** Who may use the console, on the app's database. */
export const consoleAccess = (app: App) => consoleAccessOn(app.storage, app.core.directory, app.config, app.core.clock);

const consoleAccessOn = (storage: Storage, directory: Pick<Directory, "findMember">, config: Pick<Config, "CONSOLE_SESSION_HOURS">, clock: Clock) =>
  new ConsoleAccess(new ConsoleStore(storage), directory, { sessionHours: config.CONSOLE_SESSION_HOURS, clock });

/** `/console`'s links, written in the unit of work of the message that asked (its storage). */
export function consoleLinksOn(
  storage: Storage,
  directory: Pick<Directory, "findMember">,
  config: Pick<Config, "CONSOLE_SESSION_HOURS" | "CONSOLE_URL" | "HOST" | "PORT">,
  clock: Clock,
): ConsoleLinks {
  const access = consoleAccessOn(storage, directory, config, clock);
  return {
    issue: async (memberId, ttlMinutes) => {
      const link = await access.linkFor(memberId, ttlMinutes);
      return link && { url: `${consoleBaseUrl(config)}/console/link/${link.code}`, expiresAt: link.expiresAt };
    },
  };
}

