/**
 * Slack in the soak: the after-sales and QA leads work in Slack (their pings come as direct
 * messages with Block Kit buttons, and major tickets are posted to the Slack escalation channel and
 * edited as they change). They acknowledge by pressing the button: a block_actions request signed
 * as Slack signs it (test/bench/slack-bench.ts), sent again as Slack does when the bot did not
 * answer 200 (X-Slack-Retry-Num; Slack waits 1 and 5 minutes between tries, the soak 1, 5 and 15
 * seconds, which still outlasts a restart). Staff on Slack report in their direct message with the
 * bot, each answer a message event.
 */
import { randomBytes } from "node:crypto";
import { blockActions, eventCallback, messageEvent, sendToSlackApp, type SlackRequest } from "../fakes/slack-web-api.js";
import type { Inbox } from "./inbox.js";
import type { SoakStaff } from "./soak-organisation.js";
import type { LeadDesk, ReportChannel } from "./users.js";

/** The Slack escalation channel of the default organisation. */
export const SLACK_ESCALATION_CHANNEL = "C0000ESCAL";
/** Members who prefer Slack in the soak: they own most acknowledgements. */
export const SLACK_LEADS = ["zhou.min", "chen.jie"];
/** Slack waits 3 seconds for an answer before it counts a try as failed. */
const SLACK_TIMEOUT_MS = 3_000;
/** The soak's waits before each try again. */
export const SLACK_RETRY_DELAYS_MS = [1_000, 5_000, 15_000];

/** A direct message with a user is channel D… where the user is U… (as the fake opens it). */
export const directChannelOf = (slackUserId: string) => `D${slackUserId.slice(1)}`;

export interface SlackTraffic {
  requests: number;
  /** Tries that got no 200 (the bot was down or slow) and were made again. */
  retried: number;
  /** Requests no try got a 200 for: Slack gives up on them. */
  gaveUp: number;
}

export function slackDesk(inbox: Inbox, options: { eventsUrl: string; signingSecret: string; slackIds: Map<string, string>; traffic: SlackTraffic }): LeadDesk {
  const members = new Map<string, string>([...options.slackIds].map(([memberId, slackId]) => [directChannelOf(slackId), memberId]));
  return {
    inbox,
    members,
    commandShare: 0,
    acknowledge: async (who, notice, command) => {
      const index = notice.buttons.indexOf(command);
      const triggerId = `${Date.now()}.${index}.${randomBytes(12).toString("hex")}`;
      const request = blockActions({
        userId: options.slackIds.get(who)!,
        actionId: notice.actionIds?.[index] ?? `choice-${index}`,
        value: command,
        channelId: String(notice.chatId),
        channelName: "directmessage",
        message: { ts: String(notice.messageId), text: notice.text },
        triggerId,
      });
      await deliver(options.eventsUrl, options.signingSecret, request, options.traffic);
      return triggerId;
    },
  };
}

/**
 * A staff member's direct message with the bot: each thing they type is a message event there, as
 * people type Hotline's commands in a DM (words, without Slack's "/"). `post` hands it to Slack.
 */
export function slackChannel(inbox: Inbox, staff: SoakStaff, post: (request: SlackRequest, submit: boolean) => void): ReportChannel {
  const user = staff.slackId;
  if (!user) throw new Error(`${staff.memberId} has no Slack id`);
  const channel = directChannelOf(user);
  return {
    platform: "slack",
    chatId: channel,
    inbox,
    send: (text, submit) => {
      const eventId = `Ev${randomBytes(6).toString("hex").toUpperCase()}`;
      const words = text.startsWith("/") ? text.slice(1) : text;
      post(eventCallback({ eventId, event: messageEvent({ user, channel, channelType: "im", text: words }) }), submit);
      return eventId;
    },
  };
}

async function deliver(url: string, secret: string, request: SlackRequest, traffic: SlackTraffic): Promise<void> {
  traffic.requests += 1;
  for (let attempt = 0; attempt <= SLACK_RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) {
      traffic.retried += 1;
      await new Promise((resolve) => setTimeout(resolve, SLACK_RETRY_DELAYS_MS[attempt - 1]));
    }
    if ((await trySlack(url, secret, request, attempt)) === 200) return;
  }
  traffic.gaveUp += 1;
}

/** One try (the `attempt`th retry, with X-Slack-Retry-Num): the status, 0 when the connection failed or no answer came in 3 s. */
export async function trySlack(url: string, secret: string, request: SlackRequest, attempt: number): Promise<number> {
  try {
    const retry = attempt > 0 ? { retryNum: attempt, retryReason: "http_error" as const } : {};
    return (await sendToSlackApp(url, secret, request, { ...retry, timeoutMs: SLACK_TIMEOUT_MS })).status;
  } catch {
    return 0; // Connection refused or no answer in 3 s: Slack tries again.
  }
}
