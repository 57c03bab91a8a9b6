import { formToOpen } from "../core/conversation/run-command.js";
import type { Member } from "../core/directory/member.js";
import type { Organisation, Platform } from "../core/directory/organisation.js";
import type { MessageKey } from "../core/messages/catalog.js";
import type { Locale } from "../core/messages/locale.js";
import type { Directory, TicketStore } from "../core/ports.js";
import { cardContext } from "../core/tickets/flow-support.js";
import type { CardContext } from "../core/tickets/ticket-card.js";
import type { InboundRequests } from "../jobs/inbound-queue.js";
import { LiveViewStore, type PostedView, type TeamSpaceRecord } from "../prisma/stores/live-view-store.js";
import type { App } from "./app.js";
import type { InboundDeps } from "./inbound.js";

export type { PostedView, TeamSpaceRecord };

/**
 * What an adapter posted as live views of tickets, so a change can edit them, and where each
 * complaint team works on its platform. Adapter bookkeeping: the core never reads it.
 */
export interface LiveViews {
  recordPosted(ticketId: number, posted: PostedView): Promise<void>;
  postedFor(ticketId: number): Promise<PostedView[]>;
  teamSpace(ticketId: number): Promise<TeamSpaceRecord | undefined>;
  saveTeamSpace(ticketId: number, space: TeamSpaceRecord): Promise<void>;
}

/**
 * What a chat adapter gets from the composition root: the way in for events (with its replies'
 * outbox) and the reads it makes to render and deliver, never the database or the configuration.
 * Its platform's settings (tokens, URLs) come as its own options.
 */
export interface AdapterDeps extends InboundDeps {
  /** Departments' user groups and robots, and who sits on a complaint team. */
  org: Organisation;
  /** Who is behind a chat account, and everyone's accounts for mentions. */
  directory: Pick<Directory, "findMemberByIdentity" | "listMembers">;
  /** Tickets as they are now: live views drawn afresh, team spaces opened. */
  tickets: Pick<TicketStore, "findById" | "findByNumber">;
  /** What cards are drawn with (the organisation, its time zone, the members) in `locale`. */
  cardContext(locale: Locale): Promise<CardContext>;
  /** The form a button's command opens for its missing text, if the member may send it (see the core's formToOpen). */
  formToOpen(member: Member, command: string): Promise<{ ask: MessageKey; number: string } | undefined>;
  /** Requests answered at once and handled after (Slack, WeCom), kept until handled. */
  inboundRequests: InboundRequests;
  /** The live views and team spaces of one platform. */
  liveViews(platform: Platform): LiveViews;
}

/** The adapters' share of the wired application: the one way main and the tests build an adapter's deps. */
export function adapterDeps(app: App): AdapterDeps {
  return {
    org: app.org,
    defaultLocale: app.config.DEFAULT_LOCALE,
    directory: app.core.directory,
    tickets: app.core.tickets,
    cardContext: (locale) => cardContext(app.core, locale),
    formToOpen: (member, command) => formToOpen(app.core, member, command),
    unitOfWork: app.unitOfWork,
    outbox: app.outbox,
    inboundRequests: app.inboundRequests,
    liveViews: (platform) => new LiveViewStore(app.storage, platform),
  };
}
