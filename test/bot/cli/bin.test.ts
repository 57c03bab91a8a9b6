import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../../support/run-cli.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BIN = join(ROOT, "bin", "hotline.js");

/** Runs a copy's `hotline` as a user would, from that copy's folder. */
const runIn = (dir: string, args: string[], stdin = "") => runCli(args, { root: dir, stdin });

/** Wall-clock milliseconds of the fastest of `runs` runs: the least disturbed by whatever else the machine does. */
async function fastestMs(args: string[], stdin: string, runs: number): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await runCli(args, { stdin });
    expect(result.code, result.stderr).toBe(0);
    fastest = Math.min(fastest, performance.now() - started);
  }
  return fastest;
}

/**
 * CPU milliseconds (user + system) one run takes, as bash's `times` reports for its children: unlike
 * wall time, hardly moved by other processes on a busy machine.
 */
function cpuMs(args: string[], stdin: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", '"$0" "$@" >/dev/null 2>&1; times', process.execPath, BIN, ...args], { env: { ...process.env, LOG_LEVEL: "silent" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", () => {
      const children = output.trim().split("\n")[1] ?? "";
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map(([, m, s]) => Number(m) * 60 + Number(s));
      if (seconds.length !== 2) reject(new Error(`unexpected output of times: ${output}`));
      resolve((seconds[0]! + seconds[1]!) * 1000);
    });
    child.stdin.end(stdin);
  });
}

describe("the hotline command", () => {
  it("starts in well under a second for help and classify: plain Node on the compiled CLI", async () => {
    await runCli(["help"]); // compiles first if the sources changed since the last build
    expect(await fastestMs(["help"], "", 5)).toBeLessThan(1_000);
    expect(await fastestMs(["classify"], '{"breakdown": true}', 5)).toBeLessThan(1_000);
    // Compiling TypeScript at start (a loader) costs about a second of CPU; the compiled CLI a fraction.
    expect(await cpuMs(["help"], "")).toBeLessThan(600);
    expect(await cpuMs(["classify"], '{"breakdown": true}')).toBeLessThan(600);
  });

  describe("on a fresh clone after npm ci (no dist/)", () => {
    const clone = mkdtempSync(join(tmpdir(), "hotline-clone-"));
    afterAll(() => rmSync(clone, { recursive: true, force: true }));

    it("compiles on first use, runs compiled afterwards, and compiles again when a source changes", async () => {
      for (const entry of ["bin", "bot", "core", "jobs", "prisma", "generated", "package.json", "tsconfig.json", "tsconfig.build.json"]) {
        cpSync(join(ROOT, entry), join(clone, entry), { recursive: true });
      }
      symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"), "dir");

      const first = await runIn(clone, ["help"]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^Usage: hotline <command>/);
      expect(first.stderr).toContain("compiling the sources into dist/");
      expect(existsSync(join(clone, "dist", "bot", "cli", "main.js"))).toBe(true);

      const second = await runIn(clone, ["classify"], '{"casualties": true}');
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ category: "major", level: 1 });
      expect(second.stderr).toBe("");

      const later = new Date(Date.now() + 2_000);
      utimesSync(join(clone, "core", "triage", "classify.ts"), later, later);
      const third = await runIn(clone, ["help"]);
      expect(third.code, third.stderr).toBe(0);
      expect(third.stderr).toContain("compiling the sources into dist/");
    });
  });
});
