import type { Server } from "node:http";
import { parseArgs } from "node:util";
import type { Platform } from "../core/directory/organisation.js";
import { adapterDeps, type AdapterDeps } from "./adapter-deps.js";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, loadDotEnv, withoutPassword, type Config } from "./config/env.js";
import { createCustomerSenders } from "./customer-senders.js";
import { probeRedis, redisUnreachableHint } from "./http/redis-probe.js";
import { consoleMount } from "./console/console.js";
import type { FileDownload, FileDownloads } from "./console/ticket-files.js";
import { createHttpServer, listen, type RouteHandler } from "./http/server.js";
import { DailyReports } from "../jobs/daily-reports.js";
import { DeliveryQueue, type Refresher, type Sender } from "../jobs/delivery-queue.js";
import { DeadlineTimers } from "../jobs/deadline-timers.js";
import { RedisOutageLog } from "../jobs/redis-connection.js";
import { createLogger, type Logger } from "./logger.js";
import { closeWithin, type ClosablePart } from "./shutdown.js";

interface Adapters {
  routes: Record<string, RouteHandler>;
  senders: Partial<Record<Platform, Sender>>;
  refreshers: Partial<Record<Platform, Refresher>>;
  downloads: FileDownloads;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What main needs of a chat adapter. */
interface ChatAdapter {
  platform: Platform;
  label: string;
  routes: Record<string, RouteHandler>;
  send: Sender;
  refresh?: Refresher;
  /** The bytes of a file someone sent on this platform (for the console's attachments). */
  download?: FileDownload;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function telegramAdapter(deps: AdapterDeps, config: Config, log: Logger, kick: () => void): Promise<ChatAdapter | undefined> {
  if (!config.TELEGRAM_BOT_TOKEN) {
    log.info("Telegram: off (set TELEGRAM_BOT_TOKEN to turn it on)");
    return undefined;
  }
  const { TelegramAdapter } = await import("./telegram/telegram-adapter.js");
  const telegram = new TelegramAdapter(deps, {
    token: config.TELEGRAM_BOT_TOKEN,
    apiRoot: config.TELEGRAM_API_ROOT,
    webhookSecret: config.TELEGRAM_WEBHOOK_SECRET,
    onNotifications: kick,
    log,
  });
  return {
    platform: "telegram", label: "Telegram: could not reach the Bot API", routes: telegram.webhookRoute(), send: telegram.send,
    download: (fileId, signal) => telegram.downloadFile(fileId, signal), start: () => telegram.start(), stop: () => telegram.stop(),
  };
}

async function slackAdapter(deps: AdapterDeps, config: Config, log: Logger, kick: () => void): Promise<ChatAdapter | undefined> {
  if (!config.SLACK_BOT_TOKEN) {
    log.info("Slack: off (set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_APP_TOKEN, to turn it on)");
    return undefined;
  }
  const { SlackAdapter } = await import("./slack/slack-adapter.js");
  const slack = new SlackAdapter(deps, {
    token: config.SLACK_BOT_TOKEN,
    signingSecret: config.SLACK_SIGNING_SECRET,
    appToken: config.SLACK_APP_TOKEN,
    apiUrl: config.SLACK_API_URL,
    onNotifications: kick,
    log,
  });
  return {
    platform: "slack", label: "Slack: could not reach the Web API", routes: slack.routes(), send: slack.send, refresh: slack.refresh,
    download: (fileId, signal) => slack.downloadFile(fileId, signal), start: () => slack.start(), stop: () => slack.stop(),
  };
}

async function wecomAdapter(deps: AdapterDeps, config: Config, log: Logger, kick: () => void): Promise<ChatAdapter | undefined> {
  const { WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN, WECOM_ENCODING_AES_KEY } = config;
  if (!WECOM_CORP_ID || !WECOM_AGENT_ID || !WECOM_SECRET || !WECOM_TOKEN || !WECOM_ENCODING_AES_KEY) {
    log.info("WeCom: off (set WECOM_CORP_ID, WECOM_AGENT_ID, WECOM_SECRET, WECOM_TOKEN and WECOM_ENCODING_AES_KEY to turn it on)");
    return undefined;
  }
  const { WecomAdapter } = await import("./wecom/wecom-adapter.js");
  const wecom = new WecomAdapter(deps, {
    corpId: WECOM_CORP_ID,
    agentId: WECOM_AGENT_ID,
    secret: WECOM_SECRET,
    token: WECOM_TOKEN,
    encodingAesKey: WECOM_ENCODING_AES_KEY,
    apiBase: config.WECOM_API_BASE,
    onNotifications: kick,
    environment: process.env,
    log,
  });
  return {
    platform: "wecom", label: "WeCom", routes: wecom.routes(), send: wecom.send,
    download: (mediaId, signal) => wecom.downloadFile(mediaId, signal), start: () => wecom.start(), stop: () => wecom.stop(),
  };
}

/**
 * The chat adapters whose credentials are set; each one that is off says so once, and its library
 * (grammY, Bolt…) is not even loaded.
 */
async function createAdapters(deps: AdapterDeps, config: Config, log: Logger, kick: () => void): Promise<Adapters> {
  const candidates = [await telegramAdapter(deps, config, log, kick), await slackAdapter(deps, config, log, kick), await wecomAdapter(deps, config, log, kick)];
  const adapters = candidates.filter((a): a is ChatAdapter => a !== undefined);
  return {
    routes: Object.assign({}, ...adapters.map((a) => a.routes)),
    senders: Object.fromEntries(adapters.map((a) => [a.platform, a.send])),
    refreshers: Object.fromEntries(adapters.flatMap((a) => (a.refresh ? [[a.platform, a.refresh]] : []))),
    downloads: Object.fromEntries(adapters.flatMap((a) => (a.download ? [[a.platform, a.download]] : []))),
    // An adapter that cannot reach its platform stays off; the others and the server carry on.
    start: async () => {
      await Promise.all(
        adapters.map((a) =>
          a.start().catch((error: unknown) => {
            if (error instanceof ConfigError) throw error;
            log.error({ err: error }, `${a.label}; the adapter is off`);
          }),
        ),
      );
    },
    stop: async () => {
      await Promise.all(adapters.map((a) => a.stop()));
    },
  };
}

export const ROLES = ["all", "web", "worker"] as const;
export type ProcessRole = (typeof ROLES)[number];

/** `--role web|worker|all` (default all): several processes can share one database and Redis. */
function parseRole(argv: string[]): ProcessRole {
  const { values } = parseArgs({ args: argv, options: { role: { type: "string", default: "all" } } });
  const role = ROLES.find((r) => r === values.role);
  if (!role) throw new ConfigError(`--role: must be one of ${ROLES.join(", ")} (got "${values.role}")`);
  return role;
}

/** How long SIGTERM or SIGINT may take: past it the process ends, naming what did not close. */
const SHUTDOWN_LIMIT_MS = 10_000;
/** Kept of that for the database, closed last even when a worker is still stuck (its log is synced). */
const DATABASE_CLOSE_MS = 1_000;

/**
 * Closes what was started so far, within SHUTDOWN_LIMIT_MS, then ends the process. A second signal
 * ends it at once. Installed before anything starts, so a signal during start-up is handled too.
 */
function handleSignals(log: Logger, parts: { web: ClosablePart[]; workers: ClosablePart[]; database: ClosablePart[] }): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    const first = await closeWithin([parts.web, parts.workers], SHUTDOWN_LIMIT_MS - DATABASE_CLOSE_MS);
    const last = await closeWithin([parts.database], DATABASE_CLOSE_MS);
    const unclosed = [...first.unclosed, ...last.unclosed];
    const failed = [...first.failed, ...last.failed];
    for (const { name, error } of failed) log.error({ err: error }, `shutdown: ${name} failed to close`);
    if (unclosed.length > 0) {
      log.error({ unclosed }, `shutdown: ${unclosed.join(", ")} did not close within ${SHUTDOWN_LIMIT_MS / 1000} s (is Redis reachable?); exiting without them`);
    }
    process.exit(unclosed.length || failed.length ? 1 : 0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

/**
 * `npm start`: the HTTP server and chat adapters (role web), the outbox, deadline timers and
 * daily reports (role worker), or all of them in one process (the default).
 */
async function main(): Promise<void> {
  loadDotEnv();
  const role = parseRole(process.argv.slice(2));
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  // Closed in this order: stop taking requests, then the workers (at once), then the database.
  const webParts: ClosablePart[] = [];
  const workerParts: ClosablePart[] = [];
  const databaseParts: ClosablePart[] = [];
  handleSignals(log, { web: webParts, workers: workerParts, database: databaseParts });
  const app = await createApp(config, { role, log });
  databaseParts.push({ name: "database", close: () => app.close() });
  log.info({ role, database: withoutPassword(config.DATABASE_URL), organisation: config.ORG_CONFIG, members: app.org.members.length }, "database ready");

  const redis = await probeRedis(config.REDIS_URL);
  if (!redis.ok) log.warn(redisUnreachableHint(withoutPassword(config.REDIS_URL), redis.error));

  const web = role !== "worker";
  const worker = role !== "web";
  let deliveries: DeliveryQueue | undefined;
  const outage = new RedisOutageLog(log);
  const timers = new DeadlineTimers(app, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, onFired: () => deliveries?.kick(), outage, log });
  workerParts.push({ name: "deadline timers", close: () => timers.close() });
  // After a change: send what it wrote to the outbox, queue the timers of the deadlines it made.
  const afterChange = () => {
    deliveries?.kick();
    timers.kick();
  };
  const adapters = await createAdapters(adapterDeps(app), config, log, afterChange);

  // Every process answers GET /healthz; only web processes take the platforms' requests.
  const mounts = web ? [consoleMount(app, log, afterChange, { downloads: adapters.downloads })] : [];
  const server = createHttpServer({ db: app.db, redisUrl: config.REDIS_URL }, web ? adapters.routes : {}, mounts);
  const { url, everyInterface } = await listen(server, config.PORT, config.HOST);
  webParts.push({
    name: "HTTP server",
    close: () => {
      for (const mount of mounts) mount.close?.(); // the console's open boards end their streams
      return closeServer(server);
    },
  });
  log.info({ host: config.HOST, port: config.PORT }, `listening on ${url}${everyInterface ? " (every interface)" : ""} (GET /healthz)`);
  if (web) {
    webParts.push({ name: "chat adapters", close: () => adapters.stop() });
    await adapters.start();
    if (Object.keys(adapters.senders).length === 0) log.info("no chat adapter is on; try the terminal chat: npx hotline chat --as wang.fang");
  }
  if (worker) {
    // Messages to customers leave from the workers: SMS and e-mail, where configured.
    const customers = await createCustomerSenders(config, log);
    deliveries = new DeliveryQueue(app.outbox, { ...adapters.senders, ...customers.senders }, {
      redisUrl: config.REDIS_URL,
      prefix: config.REDIS_PREFIX,
      outage,
      refreshers: adapters.refreshers,
      files: app.outboundFiles,
      log: log.child({ module: "deliveries" }),
    });
    const outbox = deliveries;
    // Workers finish the jobs in hand (or hand them back to Redis) before the process ends.
    workerParts.push({ name: "delivery queue", close: () => outbox.stop().finally(() => customers.close()) });
    deliveries.start();
    timers.startWorker();
    timers.startMaintenance();
    const dailyReports = new DailyReports(app, { redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, onSent: () => deliveries?.kick(), outage, log });
    workerParts.push({ name: "daily reports", close: () => dailyReports.close() });
    dailyReports.startWorker();
    dailyReports
      .register()
      .then(() => log.info({ at: app.org.reports.dailyAt, tz: config.TZ }, "daily reports scheduled"))
      .catch((error: unknown) => log.warn({ err: error }, "daily reports: could not register the schedule"));
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
    console.error(`PORT: another process already listens on that port; stop it or set PORT to a free one.`);
    process.exit(1);
  }
  if ((error as NodeJS.ErrnoException).code === "EADDRNOTAVAIL" || (error as NodeJS.ErrnoException).code === "ENOTFOUND") {
    console.error(`HOST: this machine has no interface with that address; use 127.0.0.1, 0.0.0.0 (every interface) or one of its own addresses.`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
