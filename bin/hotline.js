#!/usr/bin/env node
// The `hotline` command: runs the TypeScript CLI through tsx, so no build step is needed.
import { register } from "tsx/esm/api";

register();
await import("../bot/cli/main.ts");
