import type { Server } from "node:http";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adapterDeps } from "../../bot/adapter-deps.js";
import { consoleMount } from "../../bot/console/console.js";
import { createHttpServer, listen } from "../../bot/http/server.js";
import { TelegramAdapter } from "../../bot/telegram/telegram-adapter.js";
import { FakeBotApi } from "../fakes/telegram-bot-api.js";
import { LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";
import { ConsoleBrowser, signInLink } from "./console-http.js";

/*
 * A ticket's files on its console page: fetched from the platform they came in on, through its
 * adapter (Telegram's getFile and file download, on the fake Bot API), for those who see the ticket.
 */

const scene = useTestApp();
const WANG = { id: 200000001, first_name: "王芳" };
/** The smallest PNG: a 1×1 pixel. */
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=", "base64");
let fake: FakeBotApi;
let server: Server;
let url: string;

beforeEach(async () => {
  fake = await FakeBotApi.start();
  const telegram = new TelegramAdapter(adapterDeps(scene.app), { token: fake.token, apiRoot: fake.apiRoot, botInfo: fake.botInfo, onNotifications: () => {}, log: pino({ level: "silent" }) });
  const downloads = { telegram: (fileId: string, signal: AbortSignal) => telegram.downloadFile(fileId, signal) };
  const mount = consoleMount(scene.app, pino({ level: "silent" }), () => {}, { downloads, timeoutMs: 2_000 });
  server = createHttpServer({ db: scene.app.db, redisUrl: scene.app.config.REDIS_URL }, {}, [mount]);
  ({ url } = await listen(server, 0, "127.0.0.1"));
  server.on("close", () => mount.close?.());
});
afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fake.close();
});

async function signedIn(memberId: string): Promise<ConsoleBrowser> {
  const b = new ConsoleBrowser(url);
  await b.signInWith(await signInLink(scene.app, memberId));
  return b;
}

/** The report's photo and two documents, sent on Telegram as /attach does: a PDF and a page that is HTML. */
async function attachFiles() {
  await scene.report("wang.fang", LEVEL2_FAULT);
  const photo = fake.photoMessage({ from: WANG, bytes: PNG }).message!.photo!.at(-1)!.file_id;
  const pdf = fake.documentMessage({ from: WANG, bytes: Buffer.from("%PDF-1.4 检测报告"), fileName: "检测报告.pdf" }).message!.document!.file_id;
  const page = fake.documentMessage({ from: WANG, bytes: Buffer.from("<script>alert(1)</script>"), fileName: "page.html" }).message!.document!.file_id;
  await say(scene.app, "wang.fang", {
    text: `/attach ${FIRST_TICKET}`,
    attachments: [
      { platform: "telegram", fileId: photo, kind: "photo" },
      { platform: "telegram", fileId: pdf, kind: "document", name: "检测报告.pdf" },
      { platform: "telegram", fileId: page, kind: "document", name: "page.html" },
      { platform: "wecom", fileId: "MEDIA_ID_ELSEWHERE", kind: "photo", name: "现场.jpg" },
    ],
  });
}

describe("a ticket's files", () => {
  beforeEach(attachFiles);
  const file = (n: number) => `/console/tickets/${FIRST_TICKET}/files/${n}`;

  it("shows the photo inline as the image its bytes are, and offers the documents as downloads", async () => {
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    expect(b.lastPage).toContain(`<img src="${file(0)}"`);
    expect(b.lastPage).toContain(`<a href="${file(1)}" download>检测报告.pdf</a>`);
    const photo = await b.get(file(0));
    expect(photo.status).toBe(200);
    expect(photo.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    const pdf = await b.get(file(1));
    expect(pdf.headers.get("content-type")).toBe("application/octet-stream");
    expect(pdf.headers.get("content-disposition")).toBe(`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent("检测报告.pdf")}`);
    expect(Buffer.from(await pdf.arrayBuffer()).toString()).toBe("%PDF-1.4 检测报告");
    expect(fake.callsOf("getFile")).toHaveLength(2);
  });

  it("never serves a file as a page a browser would run", async () => {
    const b = await signedIn("zhou.min");
    const page = await b.get(file(2));
    expect(page.headers.get("content-type")).toBe("application/octet-stream");
    expect(page.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("content-security-policy")).toContain("sandbox");
  });

  it("says which platform holds a file it cannot fetch", async () => {
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    expect(b.lastPage).toContain('现场.jpg <span class="hint">(此文件在 wecom');
    expect((await b.get(file(3))).status).toBe(404);
  });

  it("answers 502 when the platform refuses the file, and 504 when it does not answer in time", async () => {
    const b = await signedIn("zhou.min");
    fake.forgetFiles();
    expect((await b.get(file(0))).status).toBe(502);
    expect(b.lastPage).toContain("无法从 telegram 取回此文件");
    await fake.close(); // Telegram unreachable: auto-retry would wait and try again; the page does not
    const started = Date.now();
    expect((await b.get(file(0))).status).toBe(504);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("gives another center's staff, or a position past the last file, a 404 without asking the platform", async () => {
    const other = await signedIn("guo.tao");
    expect((await other.get(file(0))).status).toBe(404);
    const b = await signedIn("zhou.min");
    for (const position of ["4", "-1", "x", "1e3"]) expect((await b.get(`/console/tickets/${FIRST_TICKET}/files/${position}`)).status, position).toBe(404);
    expect(fake.callsOf("getFile")).toHaveLength(0);
    expect((await new ConsoleBrowser(url).get(file(0))).status).toBe(303);
  });
});
