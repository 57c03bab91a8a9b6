import type { WebClient } from "@slack/web-api";
import { accountsOn } from "../../core/directory/member.js";
import type { Card } from "../../core/messages/card.js";
import { teamCard, teamPeople } from "../../core/teams/team-card.js";
import type { Ticket } from "../../core/tickets/ticket.js";
import type { AdapterDeps, LiveViews, TeamSpaceRecord } from "../adapter-deps.js";
import type { Logger } from "../logger.js";
import type { SlackMessage } from "./render-slack.js";
import { describeSlackError, platformError } from "./slack-errors.js";

/** The roster a team's thread hangs under: posted while delivering the team's first message, but not that message. */
const TEAM_ROSTER_EVENT = "hotline_team_roster";

/** What the team spaces need of the Slack adapter. */
export interface TeamSpaceDeps {
  deps: Pick<AdapterDeps, "cardContext" | "defaultLocale" | "directory" | "org">;
  views: LiveViews;
  client: () => WebClient;
  /** Cards as Block Kit, with the directory as it is now. */
  renderer: () => Promise<(card: Card) => SlackMessage>;
  log: Logger;
}

/**
 * Where a complaint-handling team works on Slack: a channel of its own, opened on first use with
 * the team invited, or, where the workspace does not let the bot create channels, a thread of the
 * escalation channel under the team's roster. Two messages for a new team wait for one channel.
 */
export class SlackTeamSpaces {
  private readonly opening = new Map<number, Promise<TeamSpaceRecord>>();

  constructor(private readonly slack: TeamSpaceDeps) {}

  /** The team's space, opened beside `parent` (the escalation channel) when it has none yet. */
  spaceFor(ticket: Ticket, parent: string): Promise<TeamSpaceRecord> {
    const inProgress = this.opening.get(ticket.id);
    if (inProgress) return inProgress;
    const opening = this.open(ticket, parent).finally(() => this.opening.delete(ticket.id));
    this.opening.set(ticket.id, opening);
    return opening;
  }

  /** Invites the team's members and the leads still to appoint one into the team's own channel. */
  async invite(ticket: Ticket, channel?: string): Promise<void> {
    const space = channel ? { address: channel, threadId: null } : await this.slack.views.teamSpace(ticket.id);
    if (!space || space.threadId || ticket.team.length === 0) return;
    const slackIdOf = accountsOn(await this.slack.deps.directory.listMembers(), "slack");
    const users = teamPeople(ticket, this.slack.deps.org).flatMap((id) => slackIdOf(id) ?? []);
    if (users.length === 0) return;
    await this.slack.client().conversations.invite({ channel: space.address, users: users.join(",") }).catch((error: unknown) => {
      if (platformError(error) !== "already_in_channel") this.slack.log.warn({ ticket: ticket.number, error: describeSlackError(error) }, "Slack: could not invite the team");
    });
  }

  /** Resolves once the spaces being opened are open (or failed), for a clean stop. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.opening.values());
  }

  private async open(ticket: Ticket, parent: string): Promise<TeamSpaceRecord> {
    const { views, client, log } = this.slack;
    const known = await views.teamSpace(ticket.id);
    if (known) return known;
    const created = await client().conversations.create({ name: channelNameOf(ticket.number) }).catch((error: unknown) => {
      log.info({ ticket: ticket.number, error: describeSlackError(error) }, "Slack: could not open a team channel; the team works in a thread");
      return undefined;
    });
    const channelId = created?.channel?.id;
    if (channelId) {
      await views.saveTeamSpace(ticket.id, { address: channelId, threadId: null });
      await this.invite(ticket, channelId);
      return { address: channelId, threadId: null };
    }
    return this.openThread(ticket, parent);
  }

  /** The team's thread: its roster posted in the escalation channel, kept current as a live view. */
  private async openThread(ticket: Ticket, parent: string): Promise<TeamSpaceRecord> {
    const { deps, views, client } = this.slack;
    const rosterCard = teamCard(ticket, await deps.cardContext(deps.defaultLocale));
    const roster = await client().chat.postMessage({
      channel: parent,
      ...(await this.slack.renderer())(rosterCard),
      metadata: { event_type: TEAM_ROSTER_EVENT, event_payload: { ticket_id: ticket.id } },
    });
    if (!roster.ts) throw new Error("chat.postMessage returned no ts");
    await views.recordPosted(ticket.id, { address: parent, messageId: roster.ts, view: "team" });
    await views.saveTeamSpace(ticket.id, { address: parent, threadId: roster.ts });
    return { address: parent, threadId: roster.ts };
  }
}

/** Slack channel names: lower case, no spaces or periods, at most 80 characters. */
export function channelNameOf(ticketNumber: string): string {
  return ticketNumber.toLowerCase().replace(/[^a-z0-9_-]/g, "-").slice(0, 80);
}
