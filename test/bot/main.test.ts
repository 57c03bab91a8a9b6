import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { deleteKeys, TEST_REDIS_URL, uniquePrefix } from "../support/redis.js";
import { freshDatabaseFile } from "../support/test-app.js";

/** What `npm start` runs: the bot compiled into dist/. */
const MAIN = fileURLToPath(new URL("../../dist/bot/main.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The bot's limit for a shutdown (bot/main.ts), and room for a busy machine to end the process. */
const SHUTDOWN_LIMIT_MS = 10_000;
const EXIT_SLACK_MS = 3_000;
const cleanups: (() => unknown)[] = [];
// Only when stale: other suites run the compiled CLI at the same time, and must not read half-written files.
beforeAll(() => promisify(execFile)(process.execPath, ["bin/build.js", "--if-stale"], { cwd: ROOT }), 60_000);
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
async function startThenTerminate(role: string, readyWhen: string, whileRunning: (port: number) => Promise<void> = async () => {}) {
  const db = freshDatabaseFile();
  const prefix = uniquePrefix();
  cleanups.push(db.cleanup, () => deleteKeys(prefix));
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN, "--role", role], {
    env: { ...process.env, DATABASE_URL: `file:${db.file}`, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, PORT: String(port), LOG_LEVEL: "info" },
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
  await whileRunning(port);
  const started = Date.now();
  child.kill("SIGTERM");
  const code = await exited;
  return { code, output, stopMs: Date.now() - started };
}

/** Process ids whose parent is `pid`, and theirs, read from /proc (Linux). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in parentheses may hold spaces: the parent id is the second field after it.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // ended while being read
    }
  }
  const found: number[] = [];
  const visit = (parent: number) => {
    for (const [child, ppid] of parents) if (ppid === parent) (found.push(child), visit(child));
  };
  visit(pid);
  return found;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** The processes it started (npm's shell and the bot, or none), found once it is ready. */
  descendants: number[];
}

/**
 * Starts `command` with a database and Redis of the test's own and waits until the bot listens;
 * whatever is left running at the end of the test is killed.
 */
async function startBot(command: string, args: string[], env: Record<string, string>): Promise<Started> {
  const db = freshDatabaseFile();
  cleanups.push(db.cleanup);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: `file:${db.file}`, PORT: String(await freePort()), LOG_LEVEL: "info", ...env },
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const started: Started = { child, output: () => output, exited, descendants: [] };
  cleanups.push(() => [child.pid!, ...started.descendants].filter(alive).forEach((pid) => process.kill(pid, "SIGKILL")));
  const deadline = Date.now() + 45_000;
  while (child.exitCode === null && !output.includes("listening on") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(output).toContain("listening on");
  started.descendants = descendantsOf(child.pid!);
  return started;
}

/** Sends SIGTERM, waits for the exit; how long it took, and which of its processes are still there. */
async function terminate(started: Started) {
  const at = Date.now();
  started.child.kill("SIGTERM");
  const code = await Promise.race([started.exited, new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), SHUTDOWN_LIMIT_MS + EXIT_SLACK_MS))]);
  const stopMs = Date.now() - at;
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the last of them be reaped
  return { code, stopMs, leftRunning: started.descendants.filter(alive) };
}

/** Whether anything accepts a TCP connection at that address. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

describe("npm start --role", () => {
  it("runs the workers alone, answering health checks over HTTP, and closes them cleanly on SIGTERM", async () => {
    const { code, output, stopMs } = await startThenTerminate("worker", "daily reports scheduled", async (port) => {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: "ok", database: { ok: true }, redis: { ok: true } });
    });
    expect(output).toContain('"role":"worker"');
    expect(output).toContain("listening on");
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

describe("npm start and SIGTERM", () => {
  it("ends within the shutdown limit with Redis unreachable, saying what did not close", async () => {
    const bot = await startBot(process.execPath, [MAIN], { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    const { code, stopMs } = await terminate(bot);
    expect(code).not.toBe("hung");
    expect(stopMs).toBeLessThan(SHUTDOWN_LIMIT_MS + EXIT_SLACK_MS);
    expect(bot.output()).toContain("shutting down");
    // A clean exit, or one that names what could not close without Redis (BullMQ's close waits for it).
    const namesWhatHung = /shutdown: .+ did not close within 10 s/.test(bot.output());
    expect(code === 0 || (code === 1 && namesWhatHung), `exit code ${code}:\n${bot.output()}`).toBe(true);
  });

  it("passes SIGTERM from npm to the bot: nothing is left running, also with Redis unreachable", async () => {
    const bot = await startBot("npm", ["start", "--silent"], { REDIS_URL: `redis://127.0.0.1:${await freePort()}` });
    expect(bot.descendants.length).toBeGreaterThan(0);
    const { code, stopMs, leftRunning } = await terminate(bot);
    expect(code).not.toBe("hung");
    expect(stopMs).toBeLessThan(SHUTDOWN_LIMIT_MS + EXIT_SLACK_MS);
    expect(leftRunning).toEqual([]);
    expect(bot.output()).toContain("shutting down");
  });

  it("closes cleanly through npm start with Redis up", async () => {
    const prefix = uniquePrefix();
    cleanups.push(() => deleteKeys(prefix));
    const bot = await startBot("npm", ["start", "--silent"], { REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix });
    const { code, leftRunning } = await terminate(bot);
    expect(code).toBe(0);
    expect(leftRunning).toEqual([]);
  });
});

describe("HOST", () => {
  it("listens on 127.0.0.1 only by default, and logs the address it really listens on", async () => {
    const port = await freePort();
    const bot = await startBot(process.execPath, [MAIN], { REDIS_URL: `redis://127.0.0.1:${await freePort()}`, PORT: String(port) });
    expect(bot.output()).toContain(`listening on http://127.0.0.1:${port} (GET /healthz)`);
    expect(await accepts("127.0.0.1", port)).toBe(true);
    // Another loopback address reaches a server that listens on every interface, not this one.
    expect(await accepts("127.0.0.2", port)).toBe(false);
  });
});
