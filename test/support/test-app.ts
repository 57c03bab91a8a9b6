import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { createApp, type App } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { handleMessage } from "../../core/conversation/handle-message.js";
import type { Member } from "../../core/directory/member.js";
import type { DialogInput } from "../../core/dialogs/report-steps.js";
import { cardToPlainText } from "../../core/messages/card.js";

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
  const config = loadConfig({ DATABASE_URL: `file:${file}`, LOG_LEVEL: "silent", ...env });
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
  const result = await app.unitOfWork.run(({ core }) => handleMessage(core, { member: who, conversation: `telegram:${memberId}`, ...where, ...message }));
  return { ...result, text: result.replies.map(cardToPlainText).join("\n") };
}
