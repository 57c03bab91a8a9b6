import { once } from "node:events";
import { createApp } from "./app.js";
import { ConfigError, loadConfig, loadDotEnv } from "./config/env.js";
import { probeRedis, redisUnreachableHint } from "./http/redis-probe.js";
import { createHttpServer } from "./http/server.js";
import { createLogger } from "./logger.js";

/** `npm start`: one process with the HTTP server; chat adapters and workers mount onto it. */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const app = await createApp(config);
  log.info({ database: config.DATABASE_URL, organisation: config.ORG_CONFIG, members: app.org.members.length }, "database ready");

  const redis = await probeRedis(config.REDIS_URL);
  if (!redis.ok) log.warn(redisUnreachableHint(config.REDIS_URL, redis.error));
  log.info("chat adapters: none configured yet; try the terminal chat: npx hotline chat --as wang.fang");

  const server = createHttpServer({ db: app.db, redisUrl: config.REDIS_URL });
  server.listen(config.PORT);
  await once(server, "listening");
  log.info({ port: config.PORT }, `listening on http://127.0.0.1:${config.PORT} (GET /healthz)`);

  const stop = async (signal: string) => {
    log.info({ signal }, "shutting down");
    server.close();
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
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
  console.error(error);
  process.exit(1);
});
