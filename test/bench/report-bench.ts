/**
 * What a report costs on the real stack (SQLite through Prisma), as ratios against a baseline
 * measured in the same run, since the machines are shared and noisy.
 *
 * - baseline: one ticket row inserted in a transaction as a plain statement (the least a report
 *   must write), and the same insert through Prisma's query builder for comparison;
 * - open ticket: `openTicket` (plan, pings, deadlines, timeline, outbox) in one transaction;
 * - whole report: every message of a level-2 report through `handleMessage`, dialog state saved
 *   at each step, ending in `openTicket`;
 * - classify: the pure rule table, per call.
 */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createApp } from "../../bot/app.js";
import { loadConfig } from "../../bot/config/env.js";
import { handleMessage } from "../../core/conversation/handle-message.js";
import { classify } from "../../core/triage/classify.js";
import { openTicket } from "../../core/tickets/ticket-flows.js";
import { migrateDatabase, sqliteOf, transact } from "../../prisma/sqlite/sqlite-database.js";
import { LEVEL2_FAULT } from "../support/report-script.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

async function timePerOp(rounds: number, run: (i: number) => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < Math.min(20, rounds); i++) await run(-1 - i); // warm up
  const start = performance.now();
  for (let i = 0; i < rounds; i++) await run(i);
  return (performance.now() - start) / rounds;
}

export async function benchReport(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "hotline-bench-"));
  const template = join(dir, "template.db");
  await migrateDatabase(`file:${template}`);
  const file = join(dir, "bench.db");
  copyFileSync(template, file);
  const app = await createApp(loadConfig({ DATABASE_URL: `file:${file}`, LOG_LEVEL: "silent" }));
  try {
    const reporter = (await app.directory.findMember("wang.fang"))!;
    const answers = { majorAccident: true, claimAmountCny: 20_000 };
    const classification = classify(answers, app.org.triage);
    const draft = {
      kind: "fault" as const, source: "service_center" as const, brand: "zhonghua" as const, vin: "LSGPC52U6AF102554",
      mileageKm: 12_000, description: "行驶中制动失灵，撞上护栏", triage: answers, customerName: "张先生",
      customerPhone: "138 1234 5678", attachments: [], attachmentsDone: true,
    };
    let n = 0;
    // The least a report must write: one ticket row, in a transaction, as a plain statement.
    const baseline = await timePerOp(ROUNDS, () =>
      transact(app.db, async (tx) =>
        sqliteOf(tx).run(
          `INSERT INTO "Ticket" ("number", "localDate", "kind", "source", "category", "level", "matchedRules", "answers", "status", "brand", "description", "customerName", "customerPhone", "reporterId", "createdAt", "updatedAt")
           VALUES (?, '2026-11-26', 'fault', 'service_center', 'major', 2, '[]', '{}', 'open', 'zhonghua', ?, ?, ?, ?, ?, ?)`,
          `BENCH-${n++}`, draft.description, draft.customerName, draft.customerPhone, reporter.id, new Date(), new Date(),
        ),
      ),
    );
    const viaPrisma = await timePerOp(ROUNDS, () =>
      app.db.ticket.create({
        data: {
          number: `BENCH-${n++}`, localDate: "2026-11-26", kind: "fault", source: "service_center", category: "major", level: 2,
          matchedRules: "[]", answers: "{}", status: "open", brand: "zhonghua", description: draft.description,
          customerName: draft.customerName, customerPhone: draft.customerPhone, reporterId: reporter.id,
        },
      }),
    );
    const open = await timePerOp(ROUNDS, () => openTicket(app.core, { reporter, draft, classification, originPlatform: "telegram" }));
    const whole = await timePerOp(Math.max(10, Math.floor(ROUNDS / 10)), async (i) => {
      for (const text of [...LEVEL2_FAULT, "1"]) {
        await app.unitOfWork.run(({ core }) => handleMessage(core, { member: reporter, conversation: `bench:${i}`, text }));
      }
    });
    const classifyUs = (await timePerOp(ROUNDS * 100, () => classify(answers, app.org.triage))) * 1000;

    const rows = [
      ["baseline: bare ticket insert (one statement in a transaction)", baseline, 1],
      ["the same insert through Prisma's query builder", viaPrisma, viaPrisma / baseline],
      ["open ticket (plan, pings, deadlines, timeline, outbox)", open, open / baseline],
      [`whole report (${LEVEL2_FAULT.length + 1} messages)`, whole, whole / baseline],
    ] as const;
    console.log(`\n## Core: one report on SQLite (${ROUNDS} rounds)\n`);
    console.log("| operation | ms per op | × baseline |\n|---|---:|---:|");
    for (const [name, ms, ratio] of rows) console.log(`| ${name} | ${ms.toFixed(2)} | ${ratio.toFixed(1)} |`);
    console.log(`| classify (pure) | ${(classifyUs / 1000).toFixed(4)} | ${(classifyUs / 1000 / baseline).toFixed(4)} |`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
