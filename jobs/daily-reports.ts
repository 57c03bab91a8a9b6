import { Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CoreContext, UnitOfWork } from "../core/ports.js";
import type { PeriodRecordFiler } from "../core/records/daily-record-flows.js";
import type { ArchivedDocument } from "../core/records/document-archive.js";
import { sendDailyReports } from "../core/reports/report-flows.js";
import { localDate } from "../core/time/business-time.js";
import { bullmqConnection, RECOVER_QUICKLY, RedisOutageLog } from "./redis-connection.js";

export interface DailyReportsOptions {
  redisUrl: string;
  /** @defaultValue "hotline" */
  prefix?: string;
  /** Called after the reports (and their documents) were written to the outbox. */
  onSent?: () => void;
  /** Shared with the process's other queues, so an outage is reported once. */
  outage?: RedisOutageLog;
  log: Logger;
}

const QUEUE = "daily-reports";
/** Stable: upserting it again on every start replaces the schedule instead of adding one. */
export const DAILY_REPORTS_SCHEDULER = "daily-reports";

/** The evening reports as a BullMQ job scheduler with a cron pattern in the business time zone. */
export class DailyReports {
  readonly queue: Queue;
  private worker: Worker | undefined;
  private readonly connections: Redis[] = [];
  private readonly outage: RedisOutageLog;

  constructor(
    /** `periodRecords`: when given, the day's records (and on Sundays the week's measures) are made, kept, and sent with the reports. */
    private readonly deps: { core: CoreContext; unitOfWork: UnitOfWork; periodRecords?: PeriodRecordFiler },
    private readonly options: DailyReportsOptions,
  ) {
    this.outage = options.outage ?? new RedisOutageLog(options.log.child({ module: "daily-reports" }));
    this.queue = new Queue(QUEUE, { connection: this.connect(), prefix: options.prefix ?? "hotline" });
    this.queue.on("error", this.outage.error);
  }

  private connect(): Redis {
    const connection = bullmqConnection(this.options.redisUrl, this.outage);
    this.connections.push(connection);
    return connection;
  }

  /** The cron pattern for the organisation's `reports.dailyAt` (e.g. 18:00 → `0 18 * * *`). */
  pattern(): string {
    const [hours, minutes] = this.deps.core.org.reports.dailyAt.split(":").map(Number);
    return `${minutes} ${hours} * * *`;
  }

  async register(): Promise<void> {
    await this.queue.upsertJobScheduler(DAILY_REPORTS_SCHEDULER, { pattern: this.pattern(), tz: this.deps.core.timeZone }, { name: "send", data: {} });
  }

  startWorker(): void {
    this.worker = new Worker(
      QUEUE,
      async () => {
        const date = localDate(this.deps.core.clock(), this.deps.core.timeZone);
        const documents = await this.fileRecords(date);
        const { sent } = await this.deps.unitOfWork.run(({ core }) => sendDailyReports(core, date, documents));
        this.options.log.info({ date, sent }, "daily reports sent");
        this.options.onSent?.();
      },
      { connection: this.connect(), prefix: this.options.prefix ?? "hotline", ...RECOVER_QUICKLY },
    );
    this.worker.on("error", this.outage.error);
  }

  /**
   * The day's records for the archive (§4 归档保存) and for the reports to carry, and the week's
   * measures when the day ends the week (Sunday), in the organisation's language. Records that
   * cannot be made (their font missing) are logged, and the reports go out without them: they must
   * not wait for a fix.
   */
  private async fileRecords(date: string): Promise<ArchivedDocument[]> {
    const filer = this.deps.periodRecords;
    if (!filer) return [];
    const locale = this.deps.core.defaultLocale;
    try {
      const kept = await filer.fileDailyRecords({ day: date, locale });
      if (new Date(`${date}T00:00:00Z`).getUTCDay() === 0) kept.push(...(await filer.fileWeeklyMeasures({ day: date, locale })));
      this.options.log.info({ date, documents: kept.map((d) => d.id) }, "daily records kept");
      return kept;
    } catch (error) {
      this.options.log.warn({ err: error, date }, "daily records could not be made; the reports go without them");
      return [];
    }
  }

  async close(): Promise<void> {
    await this.worker?.close();
    await this.queue.close();
    await Promise.all(this.connections.map((c) => c.quit().catch(() => c.disconnect())));
  }
}
