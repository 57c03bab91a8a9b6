import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../../bin/hotline.js", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  /** Another copy of the project to run the command of, from that copy's folder. */
  root?: string;
}

/** Runs the real `hotline` command in a child process, as `npx hotline …` would. */
export async function runCli(args: string[], options: CliOptions & { stdin?: string } = {}): Promise<CliResult> {
  const cli = startCli(args, options);
  cli.finishInput(options.stdin ?? "");
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** A `hotline` command that keeps running, with its stdin open: a person at a terminal. */
export interface RunningCli {
  /** Types lines, each followed by Enter. */
  type(...lines: string[]): void;
  /** Writes the last input and closes stdin, as a pipe does. */
  finishInput(text: string): void;
  /** What it printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  kill(): void;
}

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const bin = options.root ? join(options.root, "bin", "hotline.js") : BIN;
  const child = spawn(process.execPath, [bin, ...args], {
    ...(options.root ? { cwd: options.root } : {}),
    env: { ...process.env, LOG_LEVEL: "silent", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve(code));
  });
  return {
    type: (...lines) => void child.stdin.write(lines.map((line) => `${line}\n`).join("")),
    finishInput: (text) => void child.stdin.end(text),
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: () => void child.kill("SIGKILL"),
  };
}
