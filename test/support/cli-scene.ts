import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import type { App } from "../../bot/app.js";
import { runCli, type CliResult } from "./run-cli.js";
import { freshDatabaseFile, startTestApp, type TestClock } from "./test-app.js";

/** What a file of CLI tests works with: the command on a database the scene filled, and a folder to write to. */
export interface CliScene {
  /** `hotline <command> …args` on the scene's database, with these settings besides. */
  run(args: string[], env?: Record<string, string>): Promise<CliResult>;
  /** A folder of the file's own, removed after its tests. */
  readonly out: string;
  readonly databaseFile: string;
}

/**
 * A database filled once for the file's tests by `scene` (run on the real app, its clock at 10:00
 * in Shanghai on 26 November 2026), and the `hotline` command run as a child process against it.
 */
export function useCliScene(command: string, scene: (app: App, clock: TestClock) => Promise<unknown>): CliScene {
  let db: ReturnType<typeof freshDatabaseFile> | undefined;
  const out = mkdtempSync(join(tmpdir(), `hotline-${command}-cli-`));
  const file = () => {
    if (!db) throw new Error("the database exists only inside the file's tests");
    return db.file;
  };
  beforeAll(async () => {
    db = freshDatabaseFile();
    const clock: TestClock = { now: new Date("2026-11-26T02:00:00Z") };
    const app = await startTestApp(db.file, clock);
    try {
      await scene(app, clock);
    } finally {
      await app.close();
    }
  });
  afterAll(() => {
    db?.cleanup();
    rmSync(out, { recursive: true, force: true });
  });
  return {
    run: (args, env = {}) => runCli([command, ...args], { env: { DATABASE_URL: `file:${file()}`, ...env } }),
    out,
    get databaseFile() {
      return file();
    },
  };
}

/** One line on stderr naming the problem, exit code 2, no stack, nothing on stdout. */
export function expectRefusal(result: CliResult, problem: string): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toContain(problem);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}
