import type { Member } from "./directory/member.js";
import type { Duty, Organisation } from "./directory/organisation.js";
import type { Notification } from "./escalation/notification.js";
import type { Locale } from "./messages/locale.js";
import type { DeadlineKind, NewTimelineEvent, Ticket, TicketStatus } from "./tickets/ticket.js";

/** The people: members from the organisation file plus what changed at run time (language, bindings). */
export interface Directory {
  findMember(id: string): Promise<Member | undefined>;
  listMembers(): Promise<Member[]>;
  setLocale(memberId: string, locale: Locale): Promise<void>;
}

/** A ticket before it is stored: the store gives it its id, number, day and timestamps. */
export type NewTicket = Omit<Ticket, "id" | "number" | "localDate" | "createdAt" | "resolvedAt" | "closedAt" | "pings" | "deadlines">;

export interface NewPing {
  departmentId: string | null;
  memberId: string;
  duty: Duty;
  needsAck: boolean;
}

export interface NewDeadline {
  kind: DeadlineKind;
  dueAt: Date;
  /** Index into the pings created with the ticket, for acknowledgement deadlines. */
  pingIndex: number | null;
  chain: string[];
}

/** Everything a new ticket brings with it, stored in one transaction. */
export interface TicketDraft {
  ticket: NewTicket;
  localDate: string;
  pings: NewPing[];
  deadlines: NewDeadline[];
  events: NewTimelineEvent[];
}

/** A change to a ticket with its timeline events and outgoing messages, stored in one transaction. */
export interface TicketChange {
  status?: TicketStatus;
  resolvedAt?: Date;
  closedAt?: Date;
  acknowledgePings?: { ids: number[]; by: string; at: Date };
  /** Pending deadlines this change meets (by id). */
  meetDeadlines?: { ids: number[]; at: Date };
  events: NewTimelineEvent[];
  outbox: Notification[];
}

/**
 * Tickets and what hangs off them. Outgoing messages are written with the change that causes
 * them (an outbox), so a crash can't record a ticket and lose its escalation, or the reverse.
 */
export interface TicketStore {
  create(draft: TicketDraft, outboxFor: (ticket: Ticket) => Notification[]): Promise<Ticket>;
  findByNumber(number: string): Promise<Ticket | undefined>;
  /** Unfinished tickets a member reported, their center's, or pinged to them or their department. */
  listConcerning(member: Member): Promise<Ticket[]>;
  apply(ticketId: number, change: TicketChange): Promise<void>;
}

/** A guided dialog in progress, kept in the database so a restart resumes it. */
export interface DialogSession {
  memberId: string;
  conversation: string;
  dialog: "report";
  step: string;
  state: unknown;
}

export interface DialogStore {
  find(memberId: string, conversation: string): Promise<DialogSession | undefined>;
  save(session: DialogSession): Promise<void>;
  remove(memberId: string, conversation: string): Promise<void>;
}

export type Clock = () => Date;

/** What the core's flows need from the outside, wired once by the composition root. */
export interface CoreContext {
  org: Organisation;
  tickets: TicketStore;
  dialogs: DialogStore;
  directory: Directory;
  clock: Clock;
  /** Business time zone (IANA), e.g. Asia/Shanghai. */
  timeZone: string;
  defaultLocale: Locale;
}
