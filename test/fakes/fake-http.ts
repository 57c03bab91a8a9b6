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
