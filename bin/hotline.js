#!/usr/bin/env node
// The `hotline` command: runs the CLI compiled into dist/ on plain Node (a TypeScript loader would
// take a second or more to start), compiling it first when dist/ is missing or older than the sources.
import { ensureBuilt } from "./build.js";

try {
  ensureBuilt();
} catch (error) {
  process.stderr.write(`hotline: ${error.message}\n`);
  process.exit(1);
}
await import("../dist/bot/cli/main.js");
