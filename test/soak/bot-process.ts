/**
 * The bot under test as `npm start` runs it: compiled, `node dist/bot/main.js [--role web|worker]`,
 * in a process of its own, on the database, Redis prefix and organisation file its environment
 * names. It can be killed with SIGKILL at any moment and started again on the same port, so a
 * webhook keeps pointing at it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, existsSync, readFileSync, type WriteStream } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const BOT_ENTRY = fileURLToPath(new URL("../../dist/bot/main.js", import.meta.url));

/** Settings a developer's `.env` might hold that would turn on a platform the soak does not fake. */
const UNSET = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "WECOM_CORP_ID", "WECOM_AGENT_ID", "WECOM_SECRET", "WECOM_TOKEN", "WECOM_ENCODING_AES_KEY"];

/** A free TCP port on 127.0.0.1, found by listening on port 0 for a moment. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  await once(server, "close");
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

export type BotRole = "all" | "web" | "worker";

/**
 * A worker serves no HTTP: it is ready once it has started its queues, which it says in this log
 * line (bot/main.ts), the last of its start.
 */
const WORKER_READY = '"msg":"daily reports scheduled"';

export interface BotProcessOptions {
  env: Record<string, string>;
  port: number;
  /** Where the bot's stdout and stderr go, appended across restarts. */
  logFile: string;
  /** `--role`: all (the default) in one process, or web or worker beside others. */
  role?: BotRole;
  /** How it is called in the log and in findings ("web-1"). */
  name?: string;
}

export class BotProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private readonly log: WriteStream;
  /** Exits the soak did not cause (a crash, a refused setting). */
  readonly unexpectedExits: { at: number; code: number | null; signal: string | null }[] = [];
  starts = 0;
  kills = 0;

  constructor(private readonly options: BotProcessOptions) {
    if (!existsSync(BOT_ENTRY)) throw new Error(`${BOT_ENTRY} is missing: run npm run build first (npm run soak does)`);
    this.log = createWriteStream(options.logFile, { flags: "a" });
  }

  get name(): string {
    return this.options.name ?? "the bot";
  }

  get role(): BotRole {
    return this.options.role ?? "all";
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Starts the bot and waits until it is ready: /healthz answers 200 (database and Redis up), or,
   * for a worker, its queues are started.
   */
  async start(timeoutMs = 30_000): Promise<number> {
    if (this.child) throw new Error(`${this.name} is already running`);
    const started = Date.now();
    this.starts += 1;
    this.log.write(`\n=== soak: start #${this.starts} at ${new Date().toISOString()}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(UNSET.map((key) => [key, ""])), ...this.options.env, PORT: String(this.options.port) };
    const args = this.options.role ? [BOT_ENTRY, "--role", this.options.role] : [BOT_ENTRY];
    // A process group of its own: a Ctrl-C in the terminal reaches the soak, which then kills the bot.
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.child = child;
    let workerReady = false;
    if (this.role === "worker") {
      let seen = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        seen = (seen + chunk.toString("utf8")).slice(-4_096);
        workerReady ||= seen.includes(WORKER_READY);
      });
    }
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (this.child === child) {
          // Nobody asked for this exit.
          this.child = undefined;
          this.unexpectedExits.push({ at: Date.now(), code, signal });
          this.log.write(`\n=== soak: ${this.name} exited by itself (code ${code}, signal ${signal})\n`);
        }
        resolve();
      });
    });
    while (Date.now() - started < timeoutMs) {
      if (this.child !== child) throw new Error(`${this.name} exited while starting; its log:\n${this.tail()}`);
      if (this.role === "worker" ? workerReady : await this.healthy()) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms; its log:\n${this.tail()}`);
  }

  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.kills += 1;
    this.log.write(`\n=== soak: SIGKILL at ${new Date().toISOString()}\n`);
    child.kill("SIGKILL");
    await this.exited;
  }

  /** SIGTERM, as a deployment stops it; SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** For exit handlers: kills the child without waiting. */
  killNow(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** The last lines of the bot's log, for error messages. */
  tail(lines = 30): string {
    try {
      return readFileSync(this.options.logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((resolve) => this.log.end(resolve));
  }
}
