import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import type { App } from "../../../bot/app.js";
import type { Platform } from "../../../core/directory/organisation.js";
import { DeliveryQueue, type Refresher, type Sender } from "../../../jobs/delivery-queue.js";
import { TEST_REDIS_URL } from "../redis.js";
import { waitFor } from "./wait-for.js";

export const silent = pino({ level: "silent" });

/** The real delivery queue for one platform, on the scenario's own Redis prefix, quick to retry. */
export function startDeliveries(app: App, platform: Platform, sender: Sender, options: { prefix: string; refresher?: Refresher }): DeliveryQueue {
  const deliveries = new DeliveryQueue(
    app.outbox,
    { [platform]: sender },
    { files: app.outboundFiles, redisUrl: TEST_REDIS_URL, prefix: options.prefix, backoffMs: 50, refreshers: options.refresher ? { [platform]: options.refresher } : {}, log: silent },
  );
  deliveries.start(200);
  return deliveries;
}

/** Waits until nothing for `platform` waits in the outbox: every message and edit went out (or failed for good). */
export async function settleOutbox(app: App, deliveries: DeliveryQueue, platform: Platform, timeoutMs?: number): Promise<void> {
  deliveries.kick();
  await waitFor(
    `the ${platform} outbox to be sent`,
    async () => (await app.outbox.countWaiting([platform])) === 0,
    async () => {
      const waiting = await app.db.delivery.findMany({ where: { platform, status: { in: ["pending", "sending"] } }, orderBy: { id: "asc" } });
      return waiting.map((row) => `  #${row.id} ${row.kind} to ${row.recipient} (${row.status}, ${row.attempts} attempts${row.lastError ? `: ${row.lastError}` : ""})`).join("\n");
    },
    timeoutMs,
  );
}

/** A member's account on a platform, from the scenario's organisation file. */
export function accountOf(app: App, memberId: string, platform: Platform): string {
  const member = app.org.members.find((m) => m.id === memberId);
  if (!member) throw new Error(`no member "${memberId}" in the scenario's organisation; members: ${app.org.members.map((m) => m.id).join(", ")}`);
  const account = member.identities[platform];
  if (!account) throw new Error(`member "${memberId}" has no ${platform} account in the scenario's organisation`);
  return account;
}

/** An escalation channel of the organisation, which must be on `platform`. */
export function channelOf(app: App, channelId: string, platform: Platform) {
  const channel = app.org.channels.find((c) => c.id === channelId);
  if (!channel) throw new Error(`no channel "${channelId}" in the scenario's organisation; channels: ${app.org.channels.map((c) => c.id).join(", ")}`);
  if (channel.platform !== platform) throw new Error(`channel "${channelId}" is on ${channel.platform}, not ${platform}: move it there in orgEdit`);
  return channel;
}

/** The name a member goes by (for the fakes' user objects). */
export function nameOf(app: App, memberId: string): string {
  return app.org.members.find((m) => m.id === memberId)?.name.zh ?? memberId;
}

/**
 * Starts something in steps, each registering how to undo it: should a later step fail, what was
 * started is stopped (newest first) before the error goes on, so a failed start leaves nothing running.
 */
export async function startInSteps<T>(build: (onFailure: (undo: () => unknown) => void) => Promise<T>): Promise<T> {
  const undos: (() => unknown)[] = [];
  try {
    return await build((undo) => undos.push(undo));
  } catch (error) {
    for (const undo of undos.reverse()) await Promise.resolve().then(undo).catch(() => undefined);
    throw error;
  }
}

/** Listens on a free port of 127.0.0.1; `url` is its origin. */
export async function listen(server: Server): Promise<Server & { url: string }> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}
