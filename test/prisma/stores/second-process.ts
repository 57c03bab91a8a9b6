import { parentPort } from "node:worker_threads";
import { openStorage } from "../../../prisma/storage/open-storage.js";
import type { OpenStorage } from "../../../prisma/storage/storage.js";
import { ProcessRegistry } from "../../../prisma/stores/process-registry.js";
import { runOperation, type OperationName } from "./race-operations.js";

/**
 * A second bot process for the contract suites' races, in a thread of its own: its own
 * connection (SQLite) or pool (PostgreSQL), its own event loop, and its own registered process id.
 * SQLite's storage waits for another connection's write lock synchronously, so a second storage
 * racing in the test's own thread would stall the very work it waits for.
 */

export type Command = { kind: "open"; url: string } | { kind: "run"; name: OperationName; args: unknown[] } | { kind: "close" };
export type Request = Command & { seq: number };
export type Response = { seq: number } & ({ ok: true; value: unknown } | { ok: false; message: string; stack: string | undefined });

let running: { storage: OpenStorage; registry: ProcessRegistry } | undefined;

async function handle(request: Request): Promise<unknown> {
  switch (request.kind) {
    case "open": {
      const storage = await openStorage(request.url);
      const registry = new ProcessRegistry(storage);
      await registry.register("worker");
      running = { storage, registry };
      return registry.id;
    }
    case "run": {
      if (!running) throw new Error("the second process has no storage open");
      return runOperation({ storage: running.storage, processId: running.registry.id }, request.name, request.args as never);
    }
    case "close": {
      const closing = running;
      running = undefined;
      await closing?.registry.unregister();
      await closing?.storage.close();
      return null;
    }
  }
}

parentPort!.on("message", (request: Request) => {
  handle(request).then(
    (value) => parentPort!.postMessage({ seq: request.seq, ok: true, value } satisfies Response),
    (error: unknown) => {
      const { message, stack } = error instanceof Error ? error : { message: String(error), stack: undefined };
      parentPort!.postMessage({ seq: request.seq, ok: false, message, stack } satisfies Response);
    },
  );
});
