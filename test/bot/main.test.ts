import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile } from "../support/test-app.js";

/** What `npm start` runs: the bot compiled into dist/. */
const MAIN = fileURLToPath(new URL("../../dist/bot/main.js", import.meta.url));
const cleanups: (() => unknown)[] = [];
beforeAll(() => promisify(execFile)("npm", ["run", "build", "--silent"], { cwd: fileURLToPath(new URL("../..", import.meta.url)) }), 60_000);
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A port nothing listens on now: the system picks it, so two test runs do not collide. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the compiled bot as `npm start` does, waits for a log line, then sends SIGTERM. */
async function startThenTerminate(role: string, readyWhen: string) {
  const db = freshDatabaseFile();
  const prefix = uniquePrefix();
  cleanups.push(db.cleanup, () => deleteKeys(prefix));
  const child = spawn(process.execPath, [MAIN, "--role", role], {
    env: { ...process.env, DATABASE_URL: `file:${db.file}`, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, PORT: String(await freePort()), LOG_LEVEL: "info" },
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on("exit", (code) => {
      running = false;
      resolve(code);
    }),
  );
  const deadline = Date.now() + 30_000;
  while (running && !output.includes(readyWhen) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(output).toContain(readyWhen);
  const started = Date.now();
  child.kill("SIGTERM");
  const code = await exited;
  return { code, output, stopMs: Date.now() - started };
}

describe("npm start --role", () => {
  it("runs the workers alone and closes them cleanly on SIGTERM", async () => {
    const { code, output, stopMs } = await startThenTerminate("worker", "daily reports scheduled");
    expect(output).toContain('"role":"worker"');
    expect(output).not.toContain("listening on");
    expect(output).toContain("shutting down");
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
  });

  it("serves HTTP alone in the web role and closes cleanly on SIGTERM", async () => {
    const { code, output } = await startThenTerminate("web", "listening on");
    expect(output).toContain('"role":"web"');
    expect(output).not.toContain("daily reports scheduled");
    expect(code).toBe(0);
  });
});
