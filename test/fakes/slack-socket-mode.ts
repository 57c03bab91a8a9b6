/**
 * Slack's Socket Mode, faked: `apps.connections.open` on the fake Web API hands out a WebSocket URL
 * on this server, which greets with `hello` and sends envelopes (events_api, interactive,
 * slash_commands) that the app must acknowledge by echoing the envelope_id, as Slack does.
 *
 *   const socket = await FakeSocketMode.start(slack, "xapp-1-test");
 *   const ack = await socket.send("events_api", eventCallbackBody);
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { FakeSlackApi } from "./slack-web-api.js";

export type EnvelopeType = "events_api" | "interactive" | "slash_commands";

export interface Acknowledgement {
  envelopeId: string;
  /** What the app answered with its ack (a slash command's or a view's response), if anything. */
  payload: unknown;
  /** From sending the envelope to receiving its ack. */
  ms: number;
}

export class FakeSocketMode {
  private readonly waiting = new Map<string, { sent: number; resolve: (ack: Acknowledgement) => void }>();
  private socket: WebSocket | undefined;
  private connected: Promise<void>;
  private onConnected!: () => void;
  /** Every connection the app opened (a reconnect opens another). */
  connections = 0;

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    this.connected = new Promise((resolve) => (this.onConnected = resolve));
    wss.on("connection", (socket) => this.accept(socket));
  }

  static async start(slack: FakeSlackApi, appToken: string): Promise<FakeSocketMode> {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    http.listen(0, "127.0.0.1");
    await new Promise((resolve) => http.once("listening", resolve));
    const fake = new FakeSocketMode(http, wss);
    const { port } = http.address() as AddressInfo;
    slack.appToken = appToken;
    slack.stub("apps.connections.open", () => ({ url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=A0000APP` }));
    return fake;
  }

  private accept(socket: WebSocket): void {
    this.connections++;
    this.socket = socket;
    socket.on("message", (data) => this.acknowledged(JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown }));
    socket.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "fake", approximate_connection_time: 18060 }, connection_info: { app_id: "A0000APP" } }));
    this.onConnected();
  }

  private acknowledged(message: { envelope_id?: string; payload?: unknown }): void {
    const pending = message.envelope_id ? this.waiting.get(message.envelope_id) : undefined;
    if (!pending || !message.envelope_id) return;
    this.waiting.delete(message.envelope_id);
    pending.resolve({ envelopeId: message.envelope_id, payload: message.payload, ms: performance.now() - pending.sent });
  }

  /** Waits until the app has connected and been greeted. */
  async ready(): Promise<void> {
    await this.connected;
  }

  /** Sends an envelope and resolves with the app's acknowledgement. */
  async send(type: EnvelopeType, payload: unknown, options: { retryAttempt?: number; timeoutMs?: number } = {}): Promise<Acknowledgement> {
    await this.ready();
    const envelopeId = randomUUID();
    const acked = new Promise<Acknowledgement>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`envelope ${type} was not acknowledged`)), options.timeoutMs ?? 3_000);
      this.waiting.set(envelopeId, { sent: performance.now(), resolve: (ack) => (clearTimeout(timer), resolve(ack)) });
    });
    const retry = options.retryAttempt ?? 0;
    this.socket!.send(
      JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api", retry_attempt: retry, retry_reason: retry ? "timeout" : "" }),
    );
    return acked;
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
    await new Promise((resolve) => this.http.close(resolve));
  }
}
