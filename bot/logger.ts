import { pino, type Logger } from "pino";
import pretty from "pino-pretty";

export type { Logger };

/**
 * One logger per process; modules take a child with their name. Log ids, not payloads.
 * Readable lines on a terminal, JSON lines for log collectors everywhere else.
 */
export function createLogger(level: string): Logger {
  const options = { level, base: { app: "hotline" } };
  if (!process.stdout.isTTY) return pino(options);
  return pino(options, pretty({ colorize: true, ignore: "pid,hostname,app", translateTime: "SYS:HH:MM:ss" }));
}
