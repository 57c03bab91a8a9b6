/**
 * The floor under Hotline's Telegram throughput on PostgreSQL: node-postgres alone issuing the
 * statements the bot issues for one message of a report, on a freshly migrated database, 40 chats
 * at once on a pool of 10, with no Telegram, dialog or rendering around them. The statements are
 * the bot's, as PostgreSQL's statement log shows them for a message, prepared as the bot prepares
 * them, and sent together where the bot sends them together:
 *
 *   BEGIN with the inbound log; the chat's advisory lock with the dialog read; the dialog write;
 *   the reply kept in the outbox; COMMIT; then the reply marked sent.
 *
 * "awaited" is that; "pipelined" also sends the dialog write, the reply and COMMIT together, which
 * the bot cannot (the core awaits each write), to show what more pipelining could still win. Runs
 * in a process of its own (its CPU is its own, as the bots' is) and answers `{ seconds }` with
 * messages a second.
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
const pool = new pg.Pool({ connectionString: databaseUrl(name), max: 10, pipeline: true });
let nextEventId = 0;

const LOCK = "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))";
const INBOUND = `INSERT INTO "InboundEvent" ("platform", "eventId", "receivedAt") VALUES ('telegram', $1, $2) ON CONFLICT DO NOTHING`;
const READ_DIALOG = `SELECT "dialog", "step", "state" FROM "DialogSession" WHERE "memberId" = $1 AND "conversation" = $2`;
const WRITE_DIALOG = `INSERT INTO "DialogSession" ("memberId", "conversation", "dialog", "step", "state", "updatedAt") VALUES ($1, $2, 'report', $3, '{}', $4)
  ON CONFLICT ("memberId", "conversation") DO UPDATE SET "dialog" = excluded."dialog", "step" = excluded."step", "state" = excluded."state", "updatedAt" = excluded."updatedAt"`;
const KEEP_REPLY = `INSERT INTO "Delivery" ("platform", "recipient", "payload", "status", "replyTo", "claimedBy", "createdAt") VALUES ('telegram', $1, $2, 'sending', $3, 'floor', $4) RETURNING "id"`;
const MARK_SENT = `UPDATE "Delivery" SET "status" = 'sent', "attempts" = "attempts" + 1, "sentAt" = $1, "lastError" = NULL, "claimedBy" = NULL
  WHERE "id" IN ($2) AND COALESCE("purpose", '') <> 'receipt' RETURNING "id"`;

/** Each statement prepared once per connection under its own name, as the bot's are. */
const prepared = (text: string, values: unknown[]) => ({ name: `floor_${[LOCK, INBOUND, READ_DIALOG, WRITE_DIALOG, KEEP_REPLY, MARK_SENT].indexOf(text)}`, text, values });

/** One message of one chat; `pipelined` sends together what does not wait on an answer. */
async function message(chat: number, pipelined: boolean): Promise<void> {
  const member = `member.${chat}`, conversation = `telegram:${chat}`, now = new Date();
  const eventId = String(nextEventId++);
  const client = await pool.connect();
  let replyId: number;
  try {
    const q = (text: string, values: unknown[]) => client.query(prepared(text, values));
    const { stream } = (client as unknown as pg.Client).connection;
    stream.cork(); // BEGIN and the first statement in one write, as TransactionConnection sends them
    const begun = Promise.all([client.query("BEGIN"), q(INBOUND, [eventId, now])]);
    stream.uncork();
    await begun;
    await Promise.all([q(LOCK, [conversation]), q(READ_DIALOG, [member, conversation])]);
    if (pipelined) {
      const [, kept] = await Promise.all([q(WRITE_DIALOG, [member, conversation, `step-${eventId}`, now]), q(KEEP_REPLY, [member, "{}", conversation, now]), client.query("COMMIT")]);
      replyId = kept.rows[0].id;
    } else {
      await q(WRITE_DIALOG, [member, conversation, `step-${eventId}`, now]);
      replyId = (await q(KEEP_REPLY, [member, "{}", conversation, now])).rows[0].id;
      await client.query("COMMIT");
    }
  } finally {
    client.release();
  }
  await pool.query(prepared(MARK_SENT, [new Date(), replyId]));
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
  await pool.end();
  await dropDatabase(name);
  process.exit(0);
});
process.send!({ type: "listening" });
