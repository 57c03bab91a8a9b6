import type { IncomingMessage, ServerResponse } from "node:http";
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, HttpError, InputFile, type ApiClientOptions } from "grammy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BotApiTransport } from "../../../bot/telegram/bot-api-transport.js";
import { closeServer, readBody, startFakeServer } from "../../fakes/fake-http.js";

const TOKEN = "123:transport-test";

/** A Bot API endpoint whose next answers the test scripts; it records what reached it. */
interface Endpoint {
  apiRoot: string;
  received: { method: string; contentType: string; body: string }[];
  answers: ((res: ServerResponse) => void)[];
  close(): Promise<void>;
}

const ok = (result: unknown) => (res: ServerResponse) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true, result }));

let endpoint: Endpoint;

beforeEach(async () => {
  endpoint = await startFakeServer(
    (server, port) => ({ apiRoot: `http://127.0.0.1:${port}`, received: [], answers: [], close: () => closeServer(server) }),
    async (fake: Endpoint, req: IncomingMessage, res: ServerResponse) => {
      const body = await readBody(req, 1 << 20, () => new Error("too large"));
      fake.received.push({ method: req.url!.split("/").at(-1)!, contentType: String(req.headers["content-type"]), body: body.toString("latin1") });
      (fake.answers.shift() ?? ok(true))(res);
    },
  );
});
afterEach(() => endpoint.close());

function apiThroughTransport(options: ApiClientOptions = {}): Api {
  const fetch = new BotApiTransport().fetch as unknown as ApiClientOptions["fetch"];
  return new Api(TOKEN, { apiRoot: endpoint.apiRoot, fetch, ...options });
}

describe("the Bot API transport under grammY", () => {
  it("posts a call as JSON and hands grammY the result", async () => {
    endpoint.answers.push(ok({ message_id: 7, date: 0, chat: { id: 42, type: "private" }, text: "你好" }));
    const message = await apiThroughTransport().sendMessage(42, "你好", { parse_mode: "HTML" });
    expect(message.message_id).toBe(7);
    expect(endpoint.received[0]).toMatchObject({ method: "sendMessage", contentType: "application/json" });
    expect(JSON.parse(Buffer.from(endpoint.received[0]!.body, "latin1").toString("utf8"))).toEqual({ chat_id: 42, text: "你好", parse_mode: "HTML" });
  });

  it("streams an upload as multipart form data", async () => {
    await apiThroughTransport().sendDocument(42, new InputFile(Buffer.from("VIN LSGPC52U6AF102554"), "report.txt"));
    const { contentType, body } = endpoint.received[0]!;
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(body).toContain("filename=report.txt");
    expect(body).toContain("VIN LSGPC52U6AF102554");
  });

  it("fails a call answered with a page that is not JSON as a network error, which is retried", async () => {
    endpoint.answers.push((res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad Gateway</html>"));
    await expect(apiThroughTransport().getMe()).rejects.toBeInstanceOf(HttpError);

    endpoint.answers.push((res) => res.writeHead(502, { "content-type": "text/html" }).end("<html>Bad Gateway</html>"));
    const api = apiThroughTransport();
    api.config.use(autoRetry({ maxRetryAttempts: 2, maxDelaySeconds: 1, rethrowHttpErrors: false }));
    await expect(api.deleteWebhook()).resolves.toBe(true);
    expect(endpoint.received.map((r) => r.method)).toEqual(["getMe", "deleteWebhook", "deleteWebhook"]);
  });

  it("fails a call whose connection is cut", async () => {
    endpoint.answers.push((res) => res.socket!.destroy());
    await expect(apiThroughTransport().deleteWebhook()).rejects.toBeInstanceOf(HttpError);
  });

  it("aborts a call that outlives grammY's timeout", async () => {
    endpoint.answers.push(() => {}); // never answered
    const started = Date.now();
    await expect(apiThroughTransport({ timeoutSeconds: 0.2 }).deleteWebhook()).rejects.toBeInstanceOf(HttpError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
