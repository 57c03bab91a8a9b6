// `npm start`: compiles when the sources changed, then runs the bot in this same process, so the
// signals npm passes on (SIGTERM, SIGINT) reach the bot itself and its shutdown.
import { ensureBuilt } from "./build.js";

try {
  ensureBuilt();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
await import("../dist/bot/main.js");
