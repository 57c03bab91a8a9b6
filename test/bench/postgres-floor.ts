/**
 * The floor under Hotline's Telegram throughput on PostgreSQL: node-postgres alone issuing the
 * statements the bot issues for one message of a report, on a freshly migrated database, 40 chats
 * at once on a pool of 10, with no Telegram, dialog or rendering around them. The statements are
 * the bot's, as PostgreSQL's statement log shows them for a message:
 *
 *   BEGIN; the chat's advisory lock; the inbound log; the dialog read; the dialog write;
 *   the reply kept in the outbox; COMMIT; then the reply checked for receipts and marked sent.
 *
 * Run awaited one after another, as the stores do, and pipelined (everything whose answer the
 * next statement does not need sent at once, pg's `pipeline` mode). Runs in a process of its own
 * (its CPU is its own, as the bots' is) and answers `{ seconds }` with messages a second.
 */
import pg from "pg";
import { migrateStorage } from "../../prisma/storage/open-storage.js";
import { databaseUrl, dropDatabase, onServer, uniqueDatabaseName } from "../support/postgres.js";

const CHATS = 40;

interface Measure {
  type: "measure";
  seconds: number;
  pipelined: boolean;
}

const name = uniqueDatabaseName("bench-floor");
await onServer(`CREATE DATABASE "${name}"`);
await migrateStorage(databaseUrl(name));
const pools = { awaited: new pg.Pool({ connectionString: databaseUrl(name), max: 10 }), pipelined: new pg.Pool({ connectionString: databaseUrl(name), max: 10, pipeline: true }) };
let nextEventId = 0;

const LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
const INBOUND = `INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES ('telegram', $1, $2) ON CONFLICT DO NOTHING`;
const READ_DIALOG = `SELECT "dialog", "step", "state" FROM "DialogSession" WHERE "memberId" = $1 AND "conversation" = $2`;
const WRITE_DIALOG = `INSERT INTO "DialogSession" ("memberId", "conversation", "dialog", "step", "state", "updatedAt") VALUES ($1, $2, 'report', $3, '{}', $4)
  ON CONFLICT ("memberId", "conversation") DO UPDATE SET "dialog" = excluded."dialog", "step" = excluded."step", "state" = excluded."state", "updatedAt" = excluded."updatedAt"`;
const KEEP_REPLY = `INSERT INTO "Delivery" ("platform", "recipient", "payload", "status", "replyTo", "claimedBy", "createdAt") VALUES ('telegram', $1, $2, 'sending', $3, 'floor', $4) RETURNING "id"`;
const RECEIPTS = `SELECT d."id" FROM "Delivery" d JOIN "Ticket" t ON t."id" = d."ticketId" WHERE d."id" IN ($1) AND d."purpose" = 'receipt' AND d."status" <> 'sent'`;
const MARK_SENT = `UPDATE "Delivery" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = $1, "lastError" = NULL, "claimedBy" = NULL WHERE "id" IN ($2)`;

/** One message of one chat; `pipelined` sends together what does not wait on an answer. */
async function message(chat: number, pipelined: boolean): Promise<void> {
  const pool = pipelined ? pools.pipelined : pools.awaited;
  const member = `member.${chat}`, conversation = `telegram:${chat}`, now = new Date();
  const eventId = String(nextEventId++);
  const client = await pool.connect();
  let replyId: number;
  try {
    const q = (text: string, values: unknown[] = []) => client.query(text, values);
    if (pipelined) {
      await Promise.all([q("BEGIN"), q(LOCK, [conversation]), q(INBOUND, [eventId, now])]);
      await q(READ_DIALOG, [member, conversation]);
      await q(WRITE_DIALOG, [member, conversation, `step-${eventId}`, now]);
      const [kept] = await Promise.all([q(KEEP_REPLY, [member, "{}", conversation, now]), q("COMMIT")]);
      replyId = kept.rows[0].id;
    } else {
      await q("BEGIN");
      await q(LOCK, [conversation]);
      await q(INBOUND, [eventId, now]);
      await q(READ_DIALOG, [member, conversation]);
      await q(WRITE_DIALOG, [member, conversation, `step-${eventId}`, now]);
      replyId = (await q(KEEP_REPLY, [member, "{}", conversation, now])).rows[0].id;
      await q("COMMIT");
    }
  } finally {
    client.release();
  }
  await pool.query(RECEIPTS, [replyId]);
  await pool.query(MARK_SENT, [new Date(), replyId]);
}

async function measure({ seconds, pipelined }: Measure): Promise<number> {
  let messages = 0;
  const start = performance.now(), until = start + seconds * 1000;
  const chat = async (i: number) => {
    while (performance.now() < until) await message(i, pipelined), messages++;
  };
  await Promise.all(Array.from({ length: CHATS }, (_, i) => chat(i)));
  return messages / ((performance.now() - start) / 1000);
}

process.on("message", async (request: Measure | { type: "close" }) => {
  if (request.type === "measure") return process.send!({ type: "measured", perSecond: await measure(request) });
  await Promise.all(Object.values(pools).map((pool) => pool.end()));
  await dropDatabase(name);
  process.exit(0);
});
process.send!({ type: "listening" });
