import type { Server } from "node:http";
import { pino } from "pino";
import { afterEach, beforeEach } from "vitest";
import { consoleMount } from "../../bot/console/console.js";
import { consoleAccess } from "../../bot/console/console-links.js";
import type { App } from "../../bot/app.js";
import { createHttpServer, listen } from "../../bot/http/server.js";

/** The console on the bot's real HTTP server, on a port of its own. */
export async function startConsole(app: App): Promise<{ url: string; server: Server; afterChanges: () => number }> {
  let changes = 0;
  const mount = consoleMount(app, pino({ level: "silent" }), () => void changes++);
  const server = createHttpServer({ db: app.db, redisUrl: app.config.REDIS_URL }, {}, [mount]);
  const { url } = await listen(server, 0, "127.0.0.1");
  server.on("close", () => mount.close?.());
  return { url, server, afterChanges: () => changes };
}

/** Stops a server at once: open connections (a board's event stream) are dropped, not waited for. */
export async function stopServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

/**
 * The console started before each test on the scene's app (after `then`, when given: what the
 * scene should hold first) and stopped after it; read `url` and `afterChanges` inside a test.
 */
export function useConsole(scene: { readonly app: App }, then?: () => Promise<void>): { readonly url: string; afterChanges(): number } {
  let started: Awaited<ReturnType<typeof startConsole>> | undefined;
  const current = () => {
    if (!started) throw new Error("the console runs only inside a test");
    return started;
  };
  beforeEach(async () => {
    started = await startConsole(scene.app);
    await then?.();
  });
  afterEach(async () => {
    if (started) await stopServer(started.server);
    started = undefined;
  });
  return {
    get url() {
      return current().url;
    },
    afterChanges: () => current().afterChanges(),
  };
}

/** A one-time sign-in link's path for a member, as `hotline invite --platform web` prints it. */
export async function signInLink(app: App, memberId: string, ttlMinutes = 60): Promise<string> {
  const { code } = await consoleAccess(app).issueLink(memberId, ttlMinutes);
  return `/console/link/${code}`;
}

/**
 * A browser as far as the console can tell: it keeps cookies (their values; the console sets them
 * for /console), follows nothing by itself, and reads the form token off the last page.
 */
export class ConsoleBrowser {
  readonly cookies = new Map<string, string>();
  lastPage = "";

  constructor(private readonly base: string) {}

  async get(path: string): Promise<Response> {
    return this.request(path, { method: "GET" });
  }

  /**
   * Posts a form; `_csrf` is the last page's token unless the fields say otherwise, and `_once` the
   * last page's one-time key when it has one.
   */
  async post(path: string, fields: Record<string, string> = {}, options: { csrf?: boolean } = {}): Promise<Response> {
    const key = this.submissionKey();
    const body = new URLSearchParams(options.csrf === false || "_csrf" in fields ? fields : { _csrf: this.formToken(), ...(key ? { _once: key } : {}), ...fields });
    return this.request(path, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  /** Posts a form and, as a browser does, follows its redirect with a GET; resolves to the page it lands on. */
  async submit(path: string, fields: Record<string, string> = {}): Promise<Response> {
    const response = await this.post(path, fields);
    const location = response.headers.get("location");
    return response.status === 303 && location ? this.get(location) : response;
  }

  /** The last page's one-time form key, if its forms carry one. */
  submissionKey(): string | undefined {
    return /name="_once" value="([^"]+)"/.exec(this.lastPage)?.[1];
  }

  /** Opens a sign-in link and presses its button. */
  async signInWith(link: string): Promise<Response> {
    await this.get(link);
    return this.post(link);
  }

  formToken(): string {
    const token = /name="_csrf" value="([^"]+)"/.exec(this.lastPage)?.[1];
    if (!token) throw new Error("the last page has no form");
    return token;
  }

  async request(path: string, init: RequestInit): Promise<Response> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(new URL(path, this.base), { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie } });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const [name = "", value = ""] = pair.split("=");
      if (/max-age=0/i.test(header)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.clone().text();
    if (response.headers.get("content-type")?.includes("text/html")) this.lastPage = text;
    return response;
  }
}
