/**
 * The soak's knobs, from flags (`npm run soak -- --seed 7 --kills 8`) or the environment
 * (`SOAK_SEED=7`); flags win. The defaults finish in about four minutes on two cores.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import type { KillAim } from "./chaos.js";

const AIM_NAMES = { any: "any moment", update: "after an update", submit: "after a Submit", deadline: "at a deadline", "in-hand": "with work in hand" } as const satisfies Record<string, KillAim>;

const count = (max: number) => z.coerce.number().int().min(0).max(max);
const SCHEMA = z.object({
  seed: z.coerce.number().int().min(0).max(2 ** 32 - 1),
  users: z.coerce.number().int().min(1).max(50),
  /** Reports each user starts at most (the run's time usually ends them first). */
  reports: count(100),
  kills: count(50),
  flushes: count(10),
  storms: count(10),
  /** Seconds of reporting and chaos; the soak then waits for the bot to go quiet. */
  duration: z.coerce.number().min(20).max(1_800),
  /** Seconds the soak waits at most, after the chaos, for nothing to be left to send or fire. */
  quietTimeout: z.coerce.number().min(10).max(900),
  /** Minutes a ping has to be acknowledged, at every level; reminders come halfway. */
  ackMinutes: z.coerce.number().min(0.2).max(30),
  /** Seconds a simulated person waits for a reply before it counts as lost. */
  replyTimeout: z.coerce.number().min(5).max(300),
  /** Seconds after its time a deadline may fire before it counts as late. */
  lateAfter: z.coerce.number().min(1).max(600),
  /** Duplicates forgiven per kill: messages the platform took in the instant before it. */
  duplicatesPerKill: count(100),
  /** Where kills are aimed, taken in turn (chaos.ts): any, update, submit, deadline, in-hand. */
  aims: z
    .string()
    .transform((list) => list.split(",").map((aim) => aim.trim()))
    .pipe(z.array(z.enum(Object.keys(AIM_NAMES) as [keyof typeof AIM_NAMES])).min(1))
    .transform((names) => names.map((name) => AIM_NAMES[name])),
  /** telegram, or telegram,slack: Slack adds leads who work there and its escalation channel. */
  platforms: z
    .string()
    .transform((list) => list.split(",").map((name) => name.trim()))
    .pipe(z.array(z.enum(["telegram", "slack"])).refine((names) => names.includes("telegram"), "must include telegram (the staff report there)")),
  keep: z.boolean(),
});

export type SoakOptions = z.infer<typeof SCHEMA>;

const DEFAULTS: Record<keyof SoakOptions, string | boolean> = {
  seed: "1",
  users: "10",
  reports: "8",
  kills: "8",
  flushes: "1",
  storms: "2",
  duration: "150",
  quietTimeout: "150",
  ackMinutes: "0.5",
  replyTimeout: "30",
  lateAfter: "10",
  duplicatesPerKill: "5",
  aims: "any,update,submit,deadline",
  platforms: "telegram,slack",
  keep: false,
};

const FLAGS = {
  seed: "seed",
  users: "users",
  reports: "reports",
  kills: "kills",
  flushes: "flushes",
  storms: "storms",
  duration: "duration",
  quietTimeout: "quiet-timeout",
  ackMinutes: "ack-minutes",
  replyTimeout: "reply-timeout",
  lateAfter: "late-after",
  duplicatesPerKill: "duplicates-per-kill",
  aims: "aims",
  platforms: "platforms",
  keep: "keep",
} as const satisfies Record<keyof SoakOptions, string>;

const envName = (flag: string) => `SOAK_${flag.toUpperCase().replaceAll("-", "_")}`;

export const USAGE = `npm run soak -- [options]   (each also as SOAK_<NAME>, e.g. SOAK_SEED=7)
${Object.entries(FLAGS)
  .map(([key, flag]) => `  --${flag.padEnd(20)} default ${String(DEFAULTS[key as keyof SoakOptions])}`)
  .join("\n")}`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): SoakOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.values(FLAGS).map((flag) => [flag, { type: flag === "keep" ? "boolean" : "string" }])) as Record<string, { type: "string" | "boolean" }>,
    strict: true,
  });
  const raw = Object.fromEntries(
    Object.entries(FLAGS).map(([key, flag]) => {
      const fromEnv = env[envName(flag)];
      const value = values[flag] ?? (fromEnv === undefined || fromEnv === "" ? undefined : key === "keep" ? fromEnv === "1" || fromEnv === "true" : fromEnv);
      return [key, value ?? DEFAULTS[key as keyof SoakOptions]];
    }),
  );
  const parsed = SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `  --${FLAGS[issue.path[0] as keyof SoakOptions]}: ${issue.message}`);
    throw new Error(`bad soak option:\n${issues.join("\n")}\n\n${USAGE}`);
  }
  return parsed.data;
}
