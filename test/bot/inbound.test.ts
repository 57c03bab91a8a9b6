import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { freshDatabaseFile, startTestApp } from "../support/test-app.js";

const WANG = { id: 200000001, first_name: "王芳" }; // bound in the organisation file
const GUO = { id: 200000099, first_name: "Guo" }; // guo.tao, who chose English

let cleanups: (() => unknown)[];
beforeEach(() => void (cleanups = []));
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A logger whose lines the test can read. */
function capturedLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: "info" }, stream), lines };
}

describe("the adapters' error boundary", () => {
  it("tells the sender in their language that nothing was done, with a reference the log has too", async () => {
    const db = freshDatabaseFile();
    cleanups.push(db.cleanup);
    const app = await startTestApp(db.file);
    cleanups.push(() => app.close());
    const fake = await FakeBotApi.start();
    cleanups.push(() => fake.close());
    const { log, lines } = capturedLog();
    const adapter = new TelegramAdapter(adapterDeps(app), { token: fake.token, apiRoot: fake.apiRoot, botInfo: fake.botInfo, log });
    await adapter.start();
    cleanups.push(() => adapter.stop());
    await app.db.member.update({ where: { id: "guo.tao" }, data: { locale: "en" } });
    await app.db.identity.create({ data: { platform: "telegram", externalId: String(GUO.id), memberId: "guo.tao" } });

    // Something the flows need is broken: the dialog's table is gone.
    await app.db.$executeRawUnsafe(`DROP TABLE "DialogSession"`);
    fake.pushUpdate(fake.textMessage({ from: WANG, text: "/new" }));
    await fake.waitFor(() => fake.sentTo(WANG.id).length > 0, 5_000);
    const answer = fake.sentTo(WANG.id)[0]!.text;
    expect(answer).toMatch(/出现了意外错误.*参考编号 E-[0-9A-F]{6}/);
    const reference = /E-[0-9A-F]{6}/.exec(answer)![0];
    const logged = lines.find((line) => line.reference === reference)!;
    expect(logged).toMatchObject({ msg: "event failed", platform: "telegram", sender: String(WANG.id) });
    expect(JSON.stringify(logged)).not.toContain("/new"); // ids, not what was written

    fake.pushUpdate(fake.textMessage({ from: GUO, text: "/new" }));
    await fake.waitFor(() => fake.sentTo(GUO.id).length > 0, 5_000);
    expect(fake.sentTo(GUO.id)[0]!.text).toMatch(/Sorry, something went wrong and nothing was done.*reference E-[0-9A-F]{6}/);
  });
});
