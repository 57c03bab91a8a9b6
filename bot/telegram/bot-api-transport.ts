import type { Readable } from "node:stream";
import { Agent, request } from "undici";

/** A call as grammY's API client makes it: a POST with a JSON string or, for uploads, a multipart stream. */
interface BotApiRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Readable;
  signal?: AbortSignal;
}

/** grammY reads nothing of the response but its JSON, whatever the status (Telegram's errors are JSON too). */
export type BotApiFetch = (url: string, init: BotApiRequest) => Promise<{ json(): Promise<unknown> }>;

/**
 * How the bot calls the Bot API: undici's pool of kept-alive connections, given to grammY as its
 * `fetch`. grammY's default, node-fetch over node:http, spends about as much CPU on a call as the
 * rest of the handling of a chat message. A response that is not JSON (a proxy's error page) fails
 * the call, which grammY reports as a network error, so it is retried. Idle connections do not
 * keep the process alive, and deliveries may still call after the adapter stops receiving, so the
 * pool is never closed.
 */
export class BotApiTransport {
  private readonly pool = new Agent({ keepAliveTimeout: 30_000 });

  readonly fetch: BotApiFetch = async (url, init) => {
    const response = await request(url, {
      method: (init.method ?? "GET") as "GET" | "POST",
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      dispatcher: this.pool,
    });
    return { json: () => response.body.json() };
  };
}
