/**
 * `npm run bench`: every benchmark, each reported against a baseline measured in the same run
 * (the machines are shared and noisy, so only ratios compare across runs). Redis must be running.
 */
import { benchDeadlines } from "./deadline-bench.js";
import { benchReport } from "./report-bench.js";
import { benchTelegram } from "./telegram-bench.js";

console.log(`Node ${process.version}, ${new Date().toISOString()}`);
await benchReport();
await benchTelegram();
await benchDeadlines();
