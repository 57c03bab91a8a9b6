/**
 * The bot under test as `npm start` runs it: compiled, `node dist/bot/main.js`, in a process of
 * its own, on the soak's SQLite file, Redis prefix and organisation file. It can be killed with
 * SIGKILL at any moment and started again on the same port, so the fake Bot API's webhook keeps
 * pointing at it.
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

export interface BotProcessOptions {
  env: Record<string, string>;
  port: number;
  /** Where the bot's stdout and stderr go, appended across restarts. */
  logFile: string;
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

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the bot and waits until /healthz answers 200 (database and Redis up). */
  async start(timeoutMs = 30_000): Promise<number> {
    if (this.child) throw new Error("the bot is already running");
    const started = Date.now();
    this.starts += 1;
    this.log.write(`\n=== soak: start #${this.starts} at ${new Date().toISOString()}\n`);
    const env: NodeJS.ProcessEnv = { ...process.env, ...Object.fromEntries(UNSET.map((key) => [key, ""])), ...this.options.env, PORT: String(this.options.port) };
    // A process group of its own: a Ctrl-C in the terminal reaches the soak, which then kills the bot.
    const child = spawn(process.execPath, [BOT_ENTRY], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.child = child;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        if (this.child === child) {
          // Nobody asked for this exit.
          this.child = undefined;
          this.unexpectedExits.push({ at: Date.now(), code, signal });
          this.log.write(`\n=== soak: the bot exited by itself (code ${code}, signal ${signal})\n`);
        }
        resolve();
      });
    });
    while (Date.now() - started < timeoutMs) {
      if (this.child !== child) throw new Error(`the bot exited while starting; its log:\n${this.tail()}`);
      if (await this.healthy()) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the bot did not answer /healthz within ${timeoutMs} ms; its log:\n${this.tail()}`);
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
