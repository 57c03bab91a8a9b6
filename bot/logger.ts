import { pino, type Logger } from "pino";

export type { Logger };

/** One logger per process; modules take a child with their name. Log ids, not payloads. */
export function createLogger(level: string): Logger {
  return pino({ level, base: { app: "hotline" } });
}
