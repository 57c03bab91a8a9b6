/**
 * The other side of the Telegram benchmark, in a process of its own: the fake Bot API and the
 * simulated users. The bot under test runs in the parent, so its event loop, CPU time and memory
 * are its own. Talks to the parent over IPC:
 *
 *   → { type: "ready", apiRoot, token, botInfo }
 *   ← { type: "drive", users, firstUserId, texts, ratePerSecond?, webhooks? }
 *        each user sends the texts one by one, waiting for each reply; with a rate, the users
 *        together send no faster than that (each on its own schedule), like a steady load
 *   → { type: "result", seconds, latenciesMs, handlingMs }
 *   ← { type: "close" }
 */
import { performance } from "node:perf_hooks";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";

interface Drive {
  type: "drive";
  users: number;
  firstUserId: number;
  texts: string[];
  ratePerSecond?: number;
  /** POST each update to one of these web processes in turn, as Telegram's webhook would, instead of queueing it for getUpdates. */
  webhooks?: { urls: string[]; secretToken: string };
}

const send = (message: unknown) => process.send!(message);

/** Replies arrive as sendMessage calls; each waiting user is resolved by its chat id. */
function replyWaiter(fake: FakeBotApi) {
  const waiting = new Map<number, () => void>();
  let nextId = 1;
  fake.stub("sendMessage", (params) => {
    const chatId = Number(params.chat_id);
    waiting.get(chatId)?.();
    waiting.delete(chatId);
    return { message_id: nextId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: "private" }, text: String(params.text) };
  });
  return (chatId: number) => new Promise<void>((resolve) => waiting.set(chatId, resolve));
}

/** Each update's time in the bot: from the getUpdates answer that delivered it to its reply. */
function handlingTimes(fake: FakeBotApi, replied: { updateId: number; at: number }[]): number[] {
  const received = new Map<number, number>();
  for (const call of fake.callsOf("getUpdates")) {
    if (!call.response?.ok || call.answeredAt === undefined) continue;
    for (const update of call.response.result as { update_id: number }[]) if (!received.has(update.update_id)) received.set(update.update_id, call.answeredAt);
  }
  return replied.flatMap(({ updateId, at }) => (received.has(updateId) ? [at - received.get(updateId)!] : []));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Update ids for webhook deliveries, above any the fake's queue hands out. */
let nextWebhookUpdateId = 1_000_000_000;

/**
 * Sends one update: queued for getUpdates, or POSTed to the next web process (Telegram keeps up to
 * 40 webhook connections open at once; each user here has at most one update in flight).
 */
function sender(fake: FakeBotApi, webhooks: Drive["webhooks"]) {
  let next = 0;
  return (update: ReturnType<FakeBotApi["textMessage"]>): { update_id: number } => {
    if (!webhooks) return fake.pushUpdate(update);
    const full = { ...update, update_id: nextWebhookUpdateId++ } as Parameters<typeof FakeBotApi.deliverWebhook>[1];
    const url = webhooks.urls[next++ % webhooks.urls.length]!;
    void FakeBotApi.deliverWebhook(url, full, webhooks.secretToken).then((status) => {
      if (status !== 200) console.error(`webhook ${url} answered ${status}`);
    });
    return full;
  };
}

async function drive(fake: FakeBotApi, { users, firstUserId, texts, ratePerSecond, webhooks }: Drive) {
  const sendUpdate = sender(fake, webhooks);
  const nextReply = replyWaiter(fake);
  const latenciesMs: number[] = [];
  const replied: { updateId: number; at: number }[] = [];
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  // Paced: each user sends every `interval` ms, the users spread evenly over one interval.
  const interval = ratePerSecond ? (1000 * users) / ratePerSecond : 0;
  await Promise.all(
    Array.from({ length: users }, async (_, i) => {
      const from = { id: firstUserId + i, first_name: `user${i}` };
      for (const [k, text] of texts.entries()) {
        if (interval) await sleep(start + (i / users + k) * interval - performance.now());
        const reply = nextReply(from.id);
        const pushed = performance.now();
        const update = sendUpdate(fake.textMessage({ from, text }));
        await reply;
        latenciesMs.push(performance.now() - pushed);
        replied.push({ updateId: update.update_id, at: performance.timeOrigin + performance.now() });
      }
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - start) / 1000;
  // By webhook the update reaches the bot as it is sent: its time in the bot is the whole latency.
  const handlingMs = webhooks ? latenciesMs : handlingTimes(fake, replied);
  return { seconds, latenciesMs, handlingMs, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

const fake = await FakeBotApi.start();
process.on("message", (message: Drive | { type: "close" }) => {
  if (message.type === "drive") void drive(fake, message).then((result) => send({ type: "result", ...result }));
  else void fake.close().then(() => process.exit(0));
});
send({ type: "ready", apiRoot: fake.apiRoot, token: fake.token, botInfo: fake.botInfo });
