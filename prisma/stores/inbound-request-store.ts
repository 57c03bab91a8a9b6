import type { Storage } from "../storage/storage.js";
import { CLAIMER_GONE, goneCutoff } from "./process-registry.js";

export interface InboundRequestRow {
  id: number;
  orderKey: string;
  payload: string;
  attempts: number;
}

/**
 * Requests between the platform's answer and the end of their handling, on disk: the row is
 * written (and synced) before the platform hears back, claimed by the process handling it, and
 * deleted once handled. A process that died leaves claims others take over.
 */
export class InboundRequestStore {
  constructor(
    private readonly storage: Storage,
    private readonly processId: string,
  ) {}

  /**
   * Keeps a request, claimed for handling by this process; resolves once it is synced to disk (a
   * unit of work: the platform hears back only then, so not even a power cut loses it).
   */
  async add(queue: string, orderKey: string, payload: string): Promise<number> {
    return this.storage.transaction(({ sql }) =>
      sql.insert(
        `INSERT INTO "InboundRequest" ("queue", "orderKey", "payload", "status", "claimedBy", "createdAt") VALUES (?, ?, ?, 'handling', ?, ?)`,
        queue, orderKey, payload, this.processId, new Date(),
      ),
    );
  }

  async done(id: number): Promise<void> {
    await this.storage.prisma.inboundRequest.deleteMany({ where: { id } });
  }

  /** A handling that failed: back for another try, or kept as failed with the error. */
  async failed(id: number, failure: { error: string; final: boolean }): Promise<void> {
    await this.storage.prisma.inboundRequest.updateMany({
      where: { id },
      data: { status: failure.final ? "failed" : "pending", attempts: { increment: 1 }, lastError: failure.error, claimedBy: null },
    });
  }

  /** Requests waiting for another try, and those a process that is gone was handling: claimed now, oldest first. */
  async claimWaiting(queue: string): Promise<InboundRequestRow[]> {
    const rows = await this.storage.promptly((sql) =>
      sql.all<InboundRequestRow>(
        `UPDATE "InboundRequest" SET "status" = 'handling', "claimedBy" = ?
         WHERE "queue" = ? AND ("status" = 'pending' OR ("status" = 'handling' AND ${CLAIMER_GONE}))
         RETURNING "id", "orderKey", "payload", "attempts"`,
        this.processId, queue, this.processId, goneCutoff(),
      ),
    );
    return rows.sort((a, b) => a.id - b.id);
  }
}
