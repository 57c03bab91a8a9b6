import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Database } from "../../prisma/storage/storage.js";
import { probeRedis, type ProbeResult } from "./redis-probe.js";

export interface HealthDeps {
  db: Database;
  redisUrl: string;
}

async function probeDatabase(db: Database): Promise<ProbeResult> {
  try {
    await db.$queryRawUnsafe("SELECT 1");
    return { ok: true };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}

/** `GET /healthz`: 200 when the database and Redis answer, 503 with what failed otherwise. */
export async function health(deps: HealthDeps) {
  const [database, redis] = await Promise.all([probeDatabase(deps.db), probeRedis(deps.redisUrl)]);
  const ok = database.ok && redis.ok;
  return { statusCode: ok ? 200 : 503, body: { status: ok ? "ok" : "degraded", database, redis } };
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

function sendJson(res: ServerResponse, statusCode: number, body: unknown): void {
  res.writeHead(statusCode, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

/** The target's path; undefined when it is no URL (`//a:b` is a host with a bad port), which a client may send. */
function pathOf(target: string): string | undefined {
  try {
    return new URL(target, "http://localhost").pathname;
  } catch {
    return undefined;
  }
}

/** A path prefix served whole by one handler (the console, `/console` and everything under it). */
export interface Mount {
  prefix: string;
  handler: RouteHandler;
  /** Ends what it holds open (long-lived responses), so the server can close. */
  close?: () => void;
}

const mountFor = (mounts: readonly Mount[], path: string) => mounts.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));

/** The one HTTP server: health, the chat adapters' webhook routes, and mounts such as the console. */
export function createHttpServer(deps: HealthDeps, routes: Record<string, RouteHandler> = {}, mounts: readonly Mount[] = []): Server {
  return createServer((req, res) => {
    const path = pathOf(req.url ?? "/");
    const route = `${req.method} ${path}`;
    const handle = async () => {
      if (path === undefined) return sendJson(res, 400, { error: "bad request target" });
      if (route === "GET /healthz") {
        const { statusCode, body } = await health(deps);
        return sendJson(res, statusCode, body);
      }
      const handler = routes[route] ?? mountFor(mounts, path)?.handler;
      if (handler) return handler(req, res);
      sendJson(res, 404, { error: "not found" });
    };
    handle().catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      res.destroy(error instanceof Error ? error : undefined);
    });
  });
}

/** Addresses that mean "every interface of this machine". */
const ANY_ADDRESS = new Set(["0.0.0.0", "::"]);

/**
 * Starts listening and answers the address the server really listens on, as a URL (an IPv6
 * address in brackets), with a note when that is every interface. Rejects on EADDRINUSE and the like.
 */
export async function listen(server: Server, port: number, host: string): Promise<{ url: string; everyInterface: boolean }> {
  server.listen(port, host);
  await once(server, "listening");
  const { address, family, port: bound } = server.address() as AddressInfo;
  const shown = family === "IPv6" ? `[${address}]` : address;
  return { url: `http://${shown}:${bound}`, everyInterface: ANY_ADDRESS.has(address) };
}
