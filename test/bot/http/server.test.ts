import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { App } from "../../../bot/app.js";
import { connect } from "node:net";
import { createHttpServer, listen } from "../../../bot/http/server.js";
import { freshDatabaseFile, startTestApp } from "../../support/test-app.js";

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
beforeEach(async () => {
  db = freshDatabaseFile();
  app = await startTestApp(db.file);
});
afterEach(async () => {
  await app.close();
  db.cleanup();
});

async function get(redisUrl: string, path: string) {
  const server = createHttpServer({ db: app.db, redisUrl }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  } finally {
    server.close();
  }
}

describe("GET /healthz", () => {
  it("answers 200 with the database and Redis both up", async () => {
    const { status, body } = await get(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", "/healthz");
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ok", database: { ok: true }, redis: { ok: true } });
  });

  it("answers 503 and says Redis is down when it cannot be reached", async () => {
    const { status, body } = await get("redis://127.0.0.1:1", "/healthz");
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: "degraded", database: { ok: true }, redis: { ok: false } });
    expect(String((body.redis as { error: string }).error)).toMatch(/ECONNREFUSED|connect/i);
  });

  it("answers 404 for paths it does not serve", async () => {
    expect((await get("redis://127.0.0.1:6379", "/nope")).status).toBe(404);
  });

  it("answers 400 to a request target that is no URL, and keeps serving", async () => {
    const server = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:6379" }).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const port = (server.address() as AddressInfo).port;
    // `//a:b` reads as a host with a port that is not a number: the URL parser throws on it.
    const status = (path: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        request({ host: "127.0.0.1", port, method: "POST", path }, (res) => resolve(res.resume().statusCode)).on("error", reject).end();
      });
    try {
      expect(await status("//a:b")).toBe(400);
      expect(await status("//[::1")).toBe(400);
      expect(await status("/nope")).toBe(404);
    } finally {
      server.close();
    }
  });
});

/** Whether anything accepts a TCP connection at that address. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

describe("listen", () => {
  it("listens on the host given and answers the address it really listens on", async () => {
    const server = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:1" });
    try {
      const { url, everyInterface } = await listen(server, 0, "127.0.0.1");
      const port = (server.address() as AddressInfo).port;
      expect(url).toBe(`http://127.0.0.1:${port}`);
      expect(everyInterface).toBe(false);
      expect(await accepts("127.0.0.1", port)).toBe(true);
      expect(await accepts("127.0.0.2", port)).toBe(false); // another loopback address: not this interface
    } finally {
      server.close();
    }
  });

  it("says so when it listens on every interface", async () => {
    const server = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:1" });
    try {
      const { url, everyInterface } = await listen(server, 0, "0.0.0.0");
      const port = (server.address() as AddressInfo).port;
      expect(url).toBe(`http://0.0.0.0:${port}`);
      expect(everyInterface).toBe(true);
      expect(await accepts("127.0.0.2", port)).toBe(true);
    } finally {
      server.close();
    }
  });

  it("writes an IPv6 address in brackets", async () => {
    const server = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:1" });
    try {
      const { url } = await listen(server, 0, "::1");
      expect(url).toBe(`http://[::1]:${(server.address() as AddressInfo).port}`);
    } finally {
      server.close();
    }
  });

  it("rejects when the port is taken", async () => {
    const first = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:1" });
    const second = createHttpServer({ db: app.db, redisUrl: "redis://127.0.0.1:1" });
    try {
      await listen(first, 0, "127.0.0.1");
      await expect(listen(second, (first.address() as AddressInfo).port, "127.0.0.1")).rejects.toMatchObject({ code: "EADDRINUSE" });
    } finally {
      first.close();
      second.close();
    }
  });
});
