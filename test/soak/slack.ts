/**
 * Slack in the soak: the after-sales and QA leads work in Slack (their pings come as direct
 * messages with Block Kit buttons, and major tickets are posted to the Slack escalation channel and
 * edited as they change). They acknowledge by pressing the button: a block_actions request signed
 * as Slack signs it (test/bench/slack-bench.ts), sent again as Slack does when the bot did not
 * answer 200 (X-Slack-Retry-Num; Slack waits 1 and 5 minutes between tries, the soak 1, 5 and 15
 * seconds, which still outlasts a restart).
 */
import { randomBytes } from "node:crypto";
import { blockActions, sendToSlackApp } from "../fakes/slack-web-api.js";
import type { Inbox } from "./inbox.js";
import type { LeadDesk } from "./users.js";

/** The Slack escalation channel of the default organisation. */
export const SLACK_ESCALATION_CHANNEL = "C0000ESCAL";
/** Members who prefer Slack in the soak: they own most acknowledgements. */
export const SLACK_LEADS = ["zhou.min", "chen.jie"];
/** Slack waits 3 seconds for an answer before it counts a try as failed. */
const SLACK_TIMEOUT_MS = 3_000;
const RETRY_DELAYS_MS = [1_000, 5_000, 15_000];

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

async function deliver(url: string, secret: string, request: ReturnType<typeof blockActions>, traffic: SlackTraffic): Promise<void> {
  traffic.requests += 1;
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    if (attempt > 0) {
      traffic.retried += 1;
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 1]));
    }
    try {
      const retry = attempt > 0 ? { retryNum: attempt, retryReason: "http_error" as const } : {};
      const answer = await sendToSlackApp(url, secret, request, { ...retry, timeoutMs: SLACK_TIMEOUT_MS });
      if (answer.status === 200) return;
    } catch {
      // Connection refused or no answer in 3 s: Slack tries again.
    }
  }
  traffic.gaveUp += 1;
}
