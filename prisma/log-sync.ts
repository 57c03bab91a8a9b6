import { open } from "node:fs/promises";

/**
 * Makes what SQLite has committed to its write-ahead log durable without blocking the event loop:
 * the fdatasync runs on libuv's thread pool. One runs at a time; callers that arrive while one runs
 * share the next, which starts after it and so covers everything they committed.
 */
export class LogSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /** @param flush syncs the log file's data to disk */
  constructor(private readonly flush: () => Promise<void>) {}

  static forFile(path: string): LogSync {
    return new LogSync(() => syncFileData(path));
  }

  /** Resolves once everything committed before the call is on disk. */
  sync(): Promise<void> {
    if (this.queued) return this.queued;
    if (!this.running) return this.start();
    const afterRunning = this.running.then(
      () => {},
      () => {},
    );
    return (this.queued = afterRunning.then(() => {
      this.queued = undefined;
      return this.start();
    }));
  }

  private start(): Promise<void> {
    const run = this.flush().finally(() => {
      if (this.running === run) this.running = undefined;
    });
    this.running = run;
    return run;
  }
}

async function syncFileData(path: string): Promise<void> {
  const file = await open(path, "r");
  try {
    await file.datasync();
  } finally {
    await file.close();
  }
}
