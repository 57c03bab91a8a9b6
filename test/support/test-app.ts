import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, inject } from "vitest";
import { createApp, type App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { handleMessage } from "../../core/conversation/handle-message.js";
import type { Member } from "../../core/directory/member.js";
import type { DialogInput } from "../../core/dialogs/report-steps.js";
import { cardToPlainText } from "../../core/messages/card.js";
import type { Ticket } from "../../core/tickets/ticket.js";
import type { Dialect } from "../../prisma/storage/storage.js";
import { freshPostgresDatabase } from "./postgres.js";

/** A fresh database of either kind, copied from the run's migrated template; `cleanup` removes it. */
export async function freshDatabase(dialect: Dialect): Promise<{ url: string; cleanup: () => Promise<void> }> {
  if (dialect === "postgresql") return freshPostgresDatabase(inject("postgresTemplate"));
  const { file, cleanup } = freshDatabaseFile();
  return { url: `file:${file}`, cleanup: async () => cleanup() };
}

/** A fresh SQLite file copied from the migrated template, in its own folder. */
export function freshDatabaseFile(): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "hotline-test-"));
  const file = join(dir, "hotline.db");
  copyFileSync(inject("templateDatabase"), file);
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestClock {
  now: Date;
}

/** The real app (Prisma, SQLite, the default organisation) on a database file, with a settable clock. */
export async function startTestApp(
  file: string,
  clock: TestClock = { now: new Date("2026-11-26T02:00:00Z") },
  env: Record<string, string> = {},
): Promise<App> {
  return startTestAppAt(`file:${file}`, clock, env);
}

/** The real app on the database at `url` (SQLite or PostgreSQL). */
export async function startTestAppAt(
  url: string,
  clock: TestClock = { now: new Date("2026-11-26T02:00:00Z") },
  env: Record<string, string> = {},
): Promise<App> {
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: "silent", ...env });
  return createApp(config, { clock: () => clock.now });
}

export async function member(app: App, id: string): Promise<Member> {
  const found = await app.directory.findMember(id);
  if (!found) throw new Error(`no member ${id} in the default organisation`);
  return found;
}

/** Sends one message as a member, the way an adapter would (text, a press, files), and returns the replies as text. */
export async function say(app: App, memberId: string, input: string | DialogInput, where: { seenByOthers?: boolean } = {}) {
  const who = await member(app, memberId);
  const message = typeof input === "string" ? { text: input } : input;
  const result = await app.unitOfWork.run(({ core }) => handleMessage(core, { member: who, conversation: `telegram:${memberId}`, platform: "telegram", ...where, ...message }));
  return { ...result, text: result.replies.map(cardToPlainText).join("\n") };
}

/** The ticket most scenes are about: the first of 26 November. */
export const FIRST_TICKET = "HL-20261126-0001";

/** What an integration test works with: the app, its clock, and the moves most scenes make. */
export interface Scene {
  readonly app: App;
  readonly clock: TestClock;
  /** Moves the clock on. */
  later(minutes: number): void;
  ticket(number?: string): Promise<Ticket>;
  /** A member types each answer of a report, then submits it. */
  report(memberId: string, lines: readonly string[]): Promise<void>;
  /** Starts the app again on the same database, with these settings (another organisation file). */
  restart(env: Record<string, string>): Promise<void>;
}

/**
 * The real app on a fresh database for each test of the file, its clock at 10:00 in Shanghai on
 * 26 November 2026, closed and deleted after each test.
 */
export function useTestApp(options: { env?: () => Record<string, string>; database?: Dialect } = {}): Scene {
  let current: { app: App; clock: TestClock; db: Awaited<ReturnType<typeof freshDatabase>> } | undefined;
  const scene = () => {
    if (!current) throw new Error("the scene exists only inside a test");
    return current;
  };
  beforeEach(async () => {
    const db = await freshDatabase(options.database ?? "sqlite");
    const clock = { now: new Date("2026-11-26T02:00:00Z") };
    current = { db, clock, app: await startTestAppAt(db.url, clock, options.env?.()) };
  });
  afterEach(async () => {
    await current?.app.close();
    await current?.db.cleanup();
    current = undefined;
  });
  return {
    get app() {
      return scene().app;
    },
    get clock() {
      return scene().clock;
    },
    later: (minutes) => {
      const { clock } = scene();
      clock.now = new Date(clock.now.getTime() + minutes * 60_000);
    },
    ticket: async (number = FIRST_TICKET) => (await scene().app.core.tickets.findByNumber(number))!,
    report: async (memberId, lines) => {
      for (const line of [...lines, "1"]) await say(scene().app, memberId, line);
    },
    restart: async (env) => {
      const running = scene();
      await running.app.close();
      running.app = await startTestAppAt(running.db.url, running.clock, env);
    },
  };
}
