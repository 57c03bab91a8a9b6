import { parse as parseQueryString } from "node:querystring";
import type { ServerResponse } from "node:http";
import {
  AuthorizationError,
  HTTPModuleFunctions,
  HTTPReceiver,
  LogLevel,
  SocketModeReceiver,
  verifySlackRequest,
  type App as BoltApp,
  type BufferedIncomingMessage,
  type Receiver,
  type ReceiverEvent,
  type ReceiverProcessEventErrorHandlerArgs,
  type SocketModeReceiverProcessEventErrorHandlerArgs,
} from "@slack/bolt";
import { z } from "zod";
import type { RouteHandler } from "../http/server.js";
import type { Logger } from "../logger.js";

/**
 * Slack signs each request with the time it sent it; one more than five minutes away from ours,
 * earlier or later, is refused as a replay (https://docs.slack.dev/authentication/verifying-requests-from-slack).
 */
const TIMESTAMP_TOLERANCE_S = 5 * 60;
const FORM = "application/x-www-form-urlencoded";

const record = z.record(z.string(), z.unknown());
/**
 * What Bolt reads of a body before any listener runs, as Slack sends it. Bolt takes other shapes
 * apart with a TypeError (a `null` body even crashes its receiver), so they are refused first.
 */
const ENVELOPE = z.looseObject({
  type: z.string().optional(),
  event: z.looseObject({ type: z.string(), item: record.optional(), subteam: record.optional() }).optional(),
  actions: z.array(record).optional(),
  user: record.optional(),
  channel: record.optional(),
  view: record.optional(),
  response_urls: z.array(record).optional(),
  authorizations: z.array(record).optional(),
});

export interface HttpReceiverOptions {
  signingSecret: string;
  endpoint: string;
  log: Logger;
}

/**
 * Bolt's HTTP receiver, answering after the listeners ran (so a request is queued before Slack has
 * its answer), and 400 rather than 500 when Bolt cannot take a body apart: retrying cannot help.
 */
export function httpReceiver(options: HttpReceiverOptions): HTTPReceiver {
  return new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: [options.endpoint],
    processBeforeResponse: true,
    logLevel: LogLevel.ERROR,
    processEventErrorHandler: async (args) => answerUnprocessable(args, options.log),
  });
}

export function socketModeReceiver(options: { appToken: string; apiUrl: string; log: Logger }): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken: options.appToken,
    logLevel: LogLevel.ERROR,
    installerOptions: { clientOptions: { slackApiUrl: options.apiUrl } },
    // An envelope Bolt cannot take apart is acknowledged: Slack's redelivery would fail the same way.
    processEventErrorHandler: async ({ error, event }: SocketModeReceiverProcessEventErrorHandlerArgs) => {
      options.log.warn({ err: error, request: requestId(event.body) }, "Slack: could not process an envelope");
      return true;
    },
  });
}

async function answerUnprocessable({ error, response, storedResponse }: ReceiverProcessEventErrorHandlerArgs, log: Logger): Promise<boolean> {
  if (response.headersSent) return false;
  if (storedResponse !== undefined) {
    HTTPModuleFunctions.buildContentResponse(response, storedResponse);
    return true;
  }
  const status = error instanceof AuthorizationError ? 401 : 400;
  log.warn({ err: error, status }, "Slack: could not process a request");
  HTTPModuleFunctions.buildNoBodyResponse(response, status);
  return true;
}

/**
 * Every verified request is acknowledged once Bolt is done with it. Bolt leaves one that no listener
 * acknowledges (another app's button or modal, a shortcut, an unknown command, an options request)
 * unanswered until its 3-second timer answers 404, and Slack shows an error or retries.
 */
export class AcknowledgingReceiver implements Receiver {
  constructor(
    readonly inner: HTTPReceiver | SocketModeReceiver,
    private readonly log: Logger,
  ) {}

  init(app: BoltApp): void {
    const acknowledging = Object.create(app) as BoltApp;
    acknowledging.processEvent = (event) => this.process(app, event);
    this.inner.init(acknowledging);
  }

  /** Over HTTP the route is mounted on the app's own server: only Socket Mode has a connection to open. */
  async start(): Promise<unknown> {
    return this.inner instanceof SocketModeReceiver ? this.inner.start() : undefined;
  }

  async stop(): Promise<unknown> {
    return this.inner instanceof SocketModeReceiver ? this.inner.stop() : undefined;
  }

  private async process(app: BoltApp, event: ReceiverEvent): Promise<void> {
    let acknowledged = false;
    const ack: ReceiverEvent["ack"] = async (response) => {
      acknowledged = true;
      await event.ack(response);
    };
    await app.processEvent({ ...event, ack });
    if (acknowledged) return;
    this.log.info({ request: requestId(event.body) }, "Slack: no listener takes this request; acknowledged");
    await ack();
  }
}

/** What a request is, by its ids: `block_actions:choice-0`, `view_submission:note`, `command:/hotline`. */
export function requestId(body: unknown): string {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const type = typeof b.type === "string" ? b.type : typeof b.command === "string" ? "command" : "unknown";
  const field = (object: unknown, name: string) => (typeof object === "object" && object !== null ? (object as Record<string, unknown>)[name] : undefined);
  const ids = [
    b.command,
    field(b.event, "type"),
    ...(Array.isArray(b.actions) ? b.actions.map((a) => field(a, "action_id")) : []),
    b.action_id,
    b.callback_id,
    field(b.view, "callback_id"),
  ].filter((id): id is string => typeof id === "string");
  return [type, ...ids].join(":").slice(0, 200);
}

/**
 * The Slack route, in front of Bolt: reads the body, refuses a timestamp more than five minutes off
 * either way and a bad signature (401), then a body that is not a JSON object Slack would send (400),
 * and hands Bolt the rest with the body it read (Bolt reuses a `rawBody` already read, and verifies
 * the signature again). Until `started()`, every request gets 503: the server listens before the
 * adapter has started, and Bolt, not yet initialised, would drop a request it then acknowledges.
 */
export function verifiedRoute(receiver: HTTPReceiver, signingSecret: string, log: Logger, started: () => boolean = () => true): RouteHandler {
  return async (req, res) => {
    if (!started()) return refuse(res, log, 503, "the Slack adapter has not started yet; Slack sends it again");
    let buffered: BufferedIncomingMessage;
    try {
      buffered = await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit);
    } catch (error) {
      const status = HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413 ? 413 : 400;
      return refuse(res, log, status, "unreadable body");
    }
    const refusal = refusalOf(buffered, signingSecret, Date.now());
    if (refusal) return refuse(res, log, refusal.status, refusal.reason);
    receiver.requestListener(buffered, res);
  };
}

function refusalOf(req: BufferedIncomingMessage, signingSecret: string, nowMs: number): { status: 400 | 401; reason: string } | undefined {
  const text = req.rawBody.toString();
  // Slack's SSL check is unsigned; Bolt answers it and drops anything else in the body.
  if (req.headers["content-type"] === FORM && parseQueryString(text).ssl_check === "1") return undefined;
  const timestamp = req.headers["x-slack-request-timestamp"];
  if (typeof timestamp !== "string" || !/^\d{1,12}$/.test(timestamp)) return { status: 401, reason: "no request timestamp" };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_S) return { status: 401, reason: "request timestamp more than five minutes off" };
  try {
    verifySlackRequest({
      signingSecret,
      body: text,
      headers: { "x-slack-signature": String(req.headers["x-slack-signature"] ?? ""), "x-slack-request-timestamp": Number(timestamp) },
      nowMilliseconds: nowMs,
    });
  } catch {
    return { status: 401, reason: "bad signature" };
  }
  let body: unknown;
  try {
    // Exactly as Bolt will parse it: JSON, or a form whose `payload` field is JSON.
    body = HTTPModuleFunctions.parseHTTPRequestBody(req);
  } catch {
    return { status: 400, reason: "body is not JSON" };
  }
  if (!ENVELOPE.safeParse(body).success) return { status: 400, reason: "body is not a request Slack sends" };
  return undefined;
}

function refuse(res: ServerResponse, log: Logger, status: number, reason: string): void {
  log.warn({ status }, `Slack: refused a request (${reason})`);
  HTTPModuleFunctions.buildNoBodyResponse(res, status);
}
