import type { Member } from "./directory/member.js";
import type { Duty, Organisation, Platform } from "./directory/organisation.js";
import type { Notification, ReplyRecipient } from "./escalation/notification.js";
import type { Card } from "./messages/card.js";
import type { Locale } from "./messages/locale.js";
import type { AttachmentRef, Deadline, DeadlineKind, Grading, NewTimelineEvent, NewWorkRecord, TeamSeat, Ticket, TicketStatus } from "./tickets/ticket.js";
import type { TimelineEntry } from "./tickets/timeline.js";
import type { Level } from "./triage/rules.js";
import type { ReportStore } from "./reports/report-data.js";

/** The people: members from the organisation file plus what changed at run time (language, bindings). */
export interface Directory {
  findMember(id: string): Promise<Member | undefined>;
  /** The member behind a chat account, if the account is bound to one. */
  findMemberByIdentity(platform: Platform, externalId: string): Promise<Member | undefined>;
  listMembers(): Promise<Member[]>;
  setLocale(memberId: string, locale: Locale): Promise<void>;
}

/** Why an invite code bound nothing; `too_many_attempts`: the account's codes are not checked for now. */
export type InviteRefusalReason = "unknown" | "used" | "expired" | "too_many_attempts";

/** One try at an invite code from a chat account. */
export interface InviteRedemption {
  codeHash: string;
  platform: Platform;
  externalId: string;
  /** The platform's id of the event that brought the code: a redelivered try counts once. */
  eventId: string;
  now: Date;
  /** The account is refused unchecked once it has `max` refused codes after `since`. */
  refusals: { max: number; since: Date };
}

export type RedeemResult = { memberId: string } | { refused: InviteRefusalReason };

/** Single-use invite codes that bind a chat account to a member. Codes are stored hashed. */
export interface InviteStore {
  create(invite: { codeHash: string; memberId: string; platform: Platform; expiresAt: Date }): Promise<void>;
  /**
   * Uses the invite if it is unused and unexpired, and binds the account to its member, atomically.
   * Returns the member id, or why it could not. Each refused code is counted per account (never the
   * code itself); an account with too many recent refusals is refused without its code being looked at.
   */
  redeem(input: InviteRedemption): Promise<RedeemResult>;
  /** Removes a member's bindings on a platform; returns how many there were. */
  unbind(memberId: string, platform: Platform): Promise<number>;
}

/** An inbound event as the log knows it: the platform and the platform's id for the delivery. */
export interface InboundRef {
  platform: Platform;
  eventId: string;
}

/** A reply kept in the outbox and claimed for sending by this process. */
export interface ClaimedReply {
  deliveryId: number;
  recipient: ReplyRecipient;
  card: Card;
  /** A process that died was sending it: the platform may have it already. */
  mayHaveArrived: boolean;
}

/**
 * Platform event ids already handled, and the replies to them. A redelivery has no second effect,
 * but its sender still gets the replies they have not received: replies are kept in the outbox
 * with the event's effects, so a crash between the commit and the answer loses none.
 */
export interface InboundLog {
  /** Records the event; false when it was recorded before. */
  markHandled(platform: Platform, eventId: string): Promise<boolean>;
  /** Keeps an event's replies, claimed for sending by this process. */
  keepReplies(event: InboundRef, recipient: ReplyRecipient, cards: Card[]): Promise<ClaimedReply[]>;
  /** The replies to an event that were not sent and that no running process is sending, claimed now. */
  claimUnsentReplies(event: InboundRef): Promise<ClaimedReply[]>;
}

/** Runs work in one database transaction: an inbound event's record and its effects commit together. */
export interface UnitOfWork {
  run<T>(work: (scope: { core: CoreContext; inbound: InboundLog }) => Promise<T>): Promise<T>;
}

/** A ticket before it is stored: the store gives it its id, number, day and timestamps. */
export type NewTicket = Omit<Ticket, "id" | "number" | "localDate" | "createdAt" | "resolvedAt" | "closedAt" | "pings" | "deadlines" | "team" | "gradings" | "result" | "resolvedBy" | "records">;

/** The ticket's own fields the after-sales loop changes (a level, a release, an assignment, a transfer). */
export type TicketFields = Partial<Pick<Ticket, "category" | "level" | "releasedAt" | "firstLine" | "transferredAt" | "serviceCenterId" | "result" | "resolvedBy">>;

export interface NewPing {
  departmentId: string | null;
  memberId: string;
  duty: Duty;
  needsAck: boolean;
  /** Answered as it is created: the confirmation a grading implies, the team its confirmer leads. */
  acknowledged?: { by: string; at: Date } | undefined;
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
  fields?: TicketFields;
  addGrading?: Grading;
  acknowledgePings?: { ids: number[]; by: string; at: Date };
  /** Pending deadlines this change meets (by id). */
  meetDeadlines?: { ids: number[]; at: Date };
  /** Pings a new plan brings, and their deadlines (`pingIndex` into `addPings`) with new follow-ups. */
  addPings?: NewPing[];
  addDeadlines?: NewDeadline[];
  /** Pings a new plan no longer needs, and pending deadlines it drops: kept on record as cancelled. */
  cancelPings?: { ids: number[]; at: Date };
  cancelDeadlines?: { ids: number[] };
  /** Seats of a complaint team being formed, or that a new level adds. */
  addTeamSeats?: TeamSeat[];
  /** Seats a new level no longer has (by department). */
  removeTeamSeats?: string[];
  /** A change to one seat (an appointment, a confirmation). */
  updateTeamSeat?: { departmentId: string; seat: Partial<Omit<TeamSeat, "departmentId" | "leader">> };
  /** Photos and files added after the report was submitted (`/attach`). */
  addAttachments?: AttachmentRef[];
  /** What QA, the team, finance or logistics recorded, with the record's own files. */
  addRecords?: NewWorkRecord[];
  /** Files that belong to a record already on the ticket (the agreement's signed copy, sent after it). */
  attachToRecord?: { recordId: number; attachments: AttachmentRef[] };
  events: NewTimelineEvent[];
  outbox: Notification[];
  /** Messages built from the ticket as the change leaves it (they need the new pings' ids). */
  outboxFor?: ((ticket: Ticket) => Notification[]) | undefined;
}

/**
 * Tickets and what hangs off them. Outgoing messages are written with the change that causes
 * them (an outbox), so a crash can't record a ticket and lose its escalation, or the reverse.
 */
export interface TicketStore {
  create(draft: TicketDraft, outboxFor: (ticket: Ticket) => Notification[]): Promise<Ticket>;
  findByNumber(number: string): Promise<Ticket | undefined>;
  findById(id: number): Promise<Ticket | undefined>;
  /** The ticket's timeline, oldest first: by time, and in the order recorded within one change. */
  timeline(ticketId: number): Promise<TimelineEntry[]>;
  /** Unfinished tickets a member reported, their center's, or pinged to them or their department. */
  listConcerning(member: Member): Promise<Ticket[]>;
  /** Tickets for this vehicle (VIN) or this customer's phone, newest first: a caller's history. */
  history(of: { vin?: string | undefined; customerPhone?: string | undefined }, limit: number): Promise<Ticket[]>;
  apply(ticketId: number, change: TicketChange): Promise<void>;
}

/** A deadline with what its timer needs to know about its ticket. */
export interface DeadlineRecord extends Deadline {
  ticketId: number;
  ticketNumber: string;
  ticketLevel: Level | null;
  ticketCategory: "general" | "major";
  /** The ticket went out to its whole plan (it is not waiting for after-sales' confirmation). */
  ticketReleased: boolean;
  reporterId: string;
  remindersSent: number;
  fireSeq: number;
  /** The duty of the ping it belongs to, for acknowledgement deadlines. */
  duty: Duty | null;
}

export interface DeadlineChange {
  status?: "missed";
  step?: number;
  dueAt?: Date;
  remindersSent?: number;
}

export interface DeadlineStore {
  find(id: number): Promise<DeadlineRecord | undefined>;
  /**
   * Applies a timer's effect if the deadline is still pending at `expectedSeq` (and bumps it),
   * with its timeline events and messages, in one transaction. False when another timer got there first.
   */
  advance(id: number, expectedSeq: number, change: DeadlineChange, events: NewTimelineEvent[], outbox: Notification[]): Promise<boolean>;
}

/**
 * A guided dialog in progress, kept in the database so a restart resumes it: the report, or a
 * command waiting for an argument the member is asked for (the note's text, files to attach).
 * One per member per conversation; a command's session keeps the report it interrupted.
 */
export interface DialogSession {
  memberId: string;
  conversation: string;
  dialog: "report" | "command";
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
/** One-time sign-in links to the web console, for `/console`. */
export interface ConsoleLinks {
  /** A link for the member, or undefined when the console is closed to them (no role in the directory). */
  issue(memberId: string, ttlMinutes: number): Promise<{ url: string; expiresAt: Date } | undefined>;
}

export interface CoreContext {
  org: Organisation;
  tickets: TicketStore;
  dialogs: DialogStore;
  directory: Directory;
  invites: InviteStore;
  deadlines: DeadlineStore;
  reports: ReportStore;
  consoleLinks: ConsoleLinks;
  clock: Clock;
  /** Business time zone (IANA), e.g. Asia/Shanghai. */
  timeZone: string;
  defaultLocale: Locale;
}
