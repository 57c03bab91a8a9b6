import { open, type FileHandle } from "node:fs/promises";

/**
 * Makes what SQLite has committed to its write-ahead log durable without blocking the event loop:
 * the fdatasync runs on libuv's thread pool. One runs at a time; callers that arrive while one runs
 * share the next, which starts after it and so covers everything they committed.
 */
export class LogSync {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  /**
   * @param flush syncs the log file's data to disk
   * @param release lets go of the file once the database is closed
   */
  constructor(
    private readonly flush: () => Promise<void>,
    readonly release: () => Promise<void> = async () => {},
  ) {}

  static forFile(path: string): LogSync {
    const file = new KeptOpenFile(path);
    return new LogSync(() => file.datasync(), () => file.close());
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

/**
 * The log file, opened at the first sync and kept open until the database closes: SQLite keeps
 * the same file while any connection is open, and opening it for every sync cost two more trips
 * to the thread pool.
 */
class KeptOpenFile {
  private handle: Promise<FileHandle> | undefined;

  constructor(private readonly path: string) {}

  async datasync(): Promise<void> {
    this.handle ??= open(this.path, "r").catch((error: unknown) => {
      this.handle = undefined; // the next sync tries again
      throw error;
    });
    await (await this.handle).datasync();
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await (await handle?.catch(() => undefined))?.close();
  }
}
