import type { Storage } from "../../prisma/storage/storage.js";

/** An open board: told of each change, and when the process stops taking requests. */
export interface ChangeListener {
  changed(): void;
  closed(): void;
}

/**
 * Tells the console's open boards that a ticket changed, in this process or any other: every change
 * writes a timeline entry, so the newest entry's id, read once a second for all the boards of the
 * process together, moves on. A read that fails is tried again at the next tick.
 */
export class TicketChanges {
  private readonly listeners = new Set<ChangeListener>();
  private timer: NodeJS.Timeout | undefined;
  private newest: number | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly intervalMs = 1_000,
  ) {}

  /** Tells `listener` of each change from now on, until the returned function is called. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    this.timer ??= setInterval(() => void this.check(), this.intervalMs);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** The process stops taking requests: every open board is told to go, so none holds the server open. */
  close(): void {
    for (const listener of [...this.listeners]) listener.closed();
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.newest = undefined;
  }

  private async check(): Promise<void> {
    const row = await this.storage.prisma.ticketEvent.findFirst({ select: { id: true }, orderBy: { id: "desc" } }).catch(() => undefined);
    if (row === undefined) return;
    const newest = row?.id ?? 0;
    const changed = this.newest !== undefined && newest !== this.newest;
    this.newest = newest;
    if (changed) for (const listener of this.listeners) listener.changed();
  }
}
