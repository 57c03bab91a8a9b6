/**
 * `npm run bench [-- report telegram slack deadlines console daily]`: the benchmarks (all by default), each
 * reported against a baseline measured in the same run (the machines are shared and noisy, so only
 * ratios compare across runs). Redis must be running.
 */
/** Loaded only when run, so one benchmark's process does not carry the others' libraries. */
const BENCHMARKS: Record<string, () => Promise<void>> = {
  report: async () => (await import("./report-bench.js")).benchReport(),
  telegram: async () => (await import("./telegram-bench.js")).benchTelegram(),
  slack: async () => (await import("./slack-bench.js")).benchSlack(),
  deadlines: async () => (await import("./deadline-bench.js")).benchDeadlines(),
  console: async () => (await import("./console-bench.js")).benchConsole(),
  daily: async () => (await import("./daily-documents-bench.js")).benchDailyDocuments(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(BENCHMARKS).join(", ")}`);
  process.exit(2);
}
console.log(`Node ${process.version}, ${new Date().toISOString()}`);
for (const [name, bench] of Object.entries(BENCHMARKS)) if (wanted.length === 0 || wanted.includes(name)) await bench();
