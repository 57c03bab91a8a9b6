import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.js";
import type { RouteHandler } from "../http/server.js";
import { updateIdOf } from "./telegram-update.js";

/**
 * Telegram's updates are a few kilobytes (a message is at most 4,096 characters, media come as
 * file ids): 1 MiB leaves room for any real update and refuses a body meant to exhaust memory.
 */
export const MAX_WEBHOOK_BODY_BYTES = 1024 * 1024;

/**
 * How long Telegram's request is held while its update is handled. Past it Telegram hears 200
 * and the handling goes on, so a stuck handler does not hold the connection (grammY's
 * webhookCallback used the same 10 s).
 */
export const WEBHOOK_HANDLING_LIMIT_MS = 10_000;

/** https://core.telegram.org/bots/api#setwebhook: the secret_token comes back in this header. */
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

export interface WebhookOptions {
  secretToken: string;
  /** Handles an update (errors are the handler's to log); resolves once it is handled. */
  handleUpdate: (update: { update_id: number }) => Promise<void>;
  handlingLimitMs?: number;
  log: Logger;
}

/**
 * POST /telegram/webhook: 401 without the right secret token, 413 past the body limit, 400 for a
 * body that is not an update (Telegram would send it again forever after an error status), and
 * 200 for every update, once it is handled or after the handling limit. A crash mid-handling
 * answers nothing, so Telegram delivers the update again.
 */
export function telegramWebhook(options: WebhookOptions): RouteHandler {
  const limitMs = options.handlingLimitMs ?? WEBHOOK_HANDLING_LIMIT_MS;
  return async (req, res) => {
    if (!secretMatches(req.headers[SECRET_HEADER], options.secretToken)) return answer(res, 401, "wrong or missing secret token");
    const body = await readLimited(req, MAX_WEBHOOK_BODY_BYTES);
    if (body === "aborted") return;
    if (body === "too large") return answer(res, 413, `body over ${MAX_WEBHOOK_BODY_BYTES} bytes`);
    const json = parseJson(body);
    if (json === undefined) return answer(res, 400, "body is not JSON text in UTF-8");
    const updateId = updateIdOf(json);
    if (updateId === undefined) return answer(res, 400, "body is not an update (no integer update_id)");
    const handled = options.handleUpdate(json as { update_id: number }).then(
      () => "handled" as const,
      (error: unknown) => {
        options.log.error({ update: updateId, error: error instanceof Error ? error.name : typeof error }, "webhook: update failed");
        return "failed" as const;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timed out">((resolve) => (timer = setTimeout(() => resolve("timed out"), limitMs)));
    const outcome = await Promise.race([handled, timedOut]);
    clearTimeout(timer);
    if (outcome === "timed out") options.log.warn({ update: updateId, limitMs }, "webhook: update still being handled; answered Telegram");
    answer(res, 200);
  };
}

/** Compares digests, so neither a differing byte nor a differing length shows in the time taken. */
function secretMatches(header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string") return false;
  const digest = (value: string) => createHash("sha256").update(value).digest();
  return timingSafeEqual(digest(header), digest(secret));
}

/**
 * The body, or "too large" as soon as it passes `limit` (a declared Content-Length is checked
 * before reading). The rest of a refused body is not read: the connection closes after the answer.
 */
function readLimited(req: IncomingMessage, limit: number): Promise<Buffer | "too large" | "aborted"> {
  if (Number(req.headers["content-length"]) > limit) return Promise.resolve("too large");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (outcome: Buffer | "too large" | "aborted") => {
      req.off("data", onData).off("end", onEnd).off("error", onAbort).off("aborted", onAbort);
      resolve(outcome);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return stop("too large");
      chunks.push(chunk);
    };
    const onEnd = () => stop(Buffer.concat(chunks));
    const onAbort = () => stop("aborted");
    req.on("data", onData).on("end", onEnd).on("error", onAbort).on("aborted", onAbort);
  });
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** JSON from bytes that are strict UTF-8 without a byte order mark (Telegram sends neither), else undefined. */
function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(body));
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number, error?: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = status === 413 ? { connection: "close" } : {};
  if (error === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, "content-type": "application/json; charset=utf-8" }).end(JSON.stringify({ error }));
}
