// Compiles the sources into dist/ (`tsc -p tsconfig.build.json`) and knows when that is needed:
// `npm run build` always compiles; `hotline` and `npm start` compile only when dist/ is missing or
// older than the sources, so a fresh clone, a pull or an edit needs no build step by hand.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** tsconfig.build.json's include, and the configs that change what it emits. */
const SOURCE_DIRS = ["bot", "core", "jobs", "prisma", "generated"];
const CONFIG_FILES = ["tsconfig.json", "tsconfig.build.json"];
const DIST = join(ROOT, "dist");
/** Written after a build that succeeded; its mtime is when that build started. */
const STAMP = join(DIST, ".build-stamp");
/** Held while one process compiles, so parallel commands neither compile twice nor read half-written files. */
const LOCK = join(DIST, ".build-lock");
/** A lock older than this was left by a build that died: a build takes seconds. */
const STALE_LOCK_MS = 120_000;

const mtimeOf = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;

/**
 * The newest mtime among the TypeScript sources and their folders (a folder's mtime moves when a
 * file in it is added, removed or renamed). About 150 stats: a few milliseconds.
 */
function newestSourceMtime() {
  let newest = Math.max(...CONFIG_FILES.map((file) => mtimeOf(join(ROOT, file))));
  for (const dir of SOURCE_DIRS) {
    const root = join(ROOT, dir);
    newest = Math.max(newest, mtimeOf(root));
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory() || entry.name.endsWith(".ts")) newest = Math.max(newest, mtimeOf(join(entry.parentPath, entry.name)));
    }
  }
  return newest;
}

export function isBuildStale() {
  const built = mtimeOf(STAMP);
  return built === 0 || newestSourceMtime() > built;
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Takes the build lock, waiting for another process's build to finish first. */
function acquireLock() {
  mkdirSync(DIST, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      if (Date.now() - mtimeOf(LOCK) > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else sleep(100);
    }
  }
}

function tscPath() {
  const require = createRequire(import.meta.url);
  try {
    const manifest = require.resolve("typescript/package.json");
    return join(dirname(manifest), require(manifest).bin.tsc);
  } catch {
    throw new Error("cannot compile into dist/: TypeScript is not installed (run npm ci)");
  }
}

/** Runs tsc; its messages go to stderr, so a command's stdout stays its own output. */
function compile() {
  const startedAt = new Date();
  const result = spawnSync(process.execPath, [tscPath(), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: ["ignore", 2, 2] });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`compiling into dist/ failed (tsc exit code ${result.status}); the errors are above`);
  // Sources edited while tsc ran are newer than the stamp, so the next run compiles them.
  writeFileSync(STAMP, `${startedAt.toISOString()}\n`);
  utimesSync(STAMP, startedAt, startedAt);
}

/** Compiles now, waiting for a build already running elsewhere. */
export function build() {
  acquireLock();
  try {
    compile();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Compiles only when dist/ is missing or older than the sources (checked again under the lock). */
export function ensureBuilt() {
  if (!isBuildStale()) return;
  acquireLock();
  try {
    if (!isBuildStale()) return;
    process.stderr.write("hotline: compiling the sources into dist/ (they changed since the last build)\n");
    compile();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** `node bin/build.js` (npm run build) compiles; `--if-stale` only when needed. */
function runAsScript() {
  try {
    if (process.argv.includes("--if-stale")) ensureBuilt();
    else build();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) runAsScript();
