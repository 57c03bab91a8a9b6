import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the fake platform servers share: a server on a free local port, bodies read with a limit, a clean close. */

/**
 * Starts an HTTP server on 127.0.0.1 with a free port and builds the fake that answers it. A
 * request that arrives before the fake exists gets 503.
 */
export async function startFakeServer<F>(build: (server: Server, port: number) => F, handle: (fake: F, req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<F> {
  let fake: F | undefined;
  const server = createServer((req, res) => {
    if (fake === undefined) res.writeHead(503).end();
    else void handle(fake, req, res);
  });
  // The platforms keep a client's idle connection far longer than Node's 5 s: a client that reuses
  // one just as the server closes it gets a reset, which real platforms seldom cause.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  fake = build(server, (server.address() as AddressInfo).port);
  return fake;
}

/** The request's body; `tooLarge` is thrown, as the platform would answer, past `maxBytes`. */
export async function readBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Closes the server and cuts its open connections (clients keep them alive). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** One part of a multipart/form-data body (RFC 7578): its field name, and for a file its filename and type. */
export interface FormPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Buffer;
}

/**
 * The parts of a multipart/form-data body, split on the boundary its Content-Type names; undefined
 * when the body is not multipart or is malformed (no boundary, no closing delimiter, a part
 * without Content-Disposition). A `filename*=UTF-8''…` is decoded; a plain `filename` is taken
 * as UTF-8, as browsers and Node's FormData send it.
 */
export function parseMultipart(contentType: string | undefined, body: Buffer): FormPart[] | undefined {
  const type = /^\s*multipart\/form-data\s*;(.*)$/i.exec(contentType ?? "");
  const boundary = type && /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(type[1] ?? "");
  const delimiter = boundary?.[1] ?? boundary?.[2];
  if (!delimiter) return undefined;
  const dash = Buffer.from(`--${delimiter}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(dash);
  if (at < 0) return undefined;
  for (;;) {
    const after = at + dash.length;
    if (body.subarray(after, after + 2).toString("latin1") === "--") return parts;
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), dash]), after);
    if (next < 0) return undefined;
    const part = body.subarray(after + 2, next); // past the CRLF that ends the delimiter line
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd < 0) return undefined;
    const headers = part.subarray(0, headerEnd).toString("utf8").split("\r\n");
    const header = (name: string) => headers.find((line) => line.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    const disposition = header("content-disposition");
    if (disposition === undefined) return undefined;
    const field = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (!field) return undefined;
    const extended = /;\s*filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1];
    const plain = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    parts.push({ name: field, filename: extended ? decodeURIComponent(extended) : plain, contentType: header("content-type"), data: Buffer.from(part.subarray(headerEnd + 4)) });
    at = next + 2;
  }
}
