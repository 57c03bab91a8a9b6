import type { Notification } from "../escalation/notification.js";
import type { Brand, DeadlineKind, TicketKind, TicketSource, TicketStatus } from "../tickets/ticket.js";
import type { Level } from "../triage/rules.js";

/** Local calendar days, inclusive, in the business time zone. */
export interface ReportPeriod {
  from: string;
  to: string;
}

export interface TicketSummary {
  number: string;
  kind: TicketKind;
  source: TicketSource;
  category: "general" | "major";
  level: Level | null;
  status: TicketStatus;
  serviceCenterId: string | null;
  createdAt: Date;
  /** What was done, once resolved (null before, and on tickets resolved before results were kept). */
  result: string | null;
  resolvedBy: string | null;
  /** The business day it was reported: its warranty is read on that day (§5). */
  localDate: string;
  brand: Brand;
  saleDate: string | null;
  mileageKm: number | null;
}

export interface OpenMajorTicket extends TicketSummary {
  /** Who holds it: those who took it, else those who acknowledged, else those still pinged. */
  holderIds: string[];
}

export interface TeamDeadline {
  number: string;
  dueAt: Date;
  status: "pending" | "met" | "missed" | "cancelled";
}

export interface MissedDeadline {
  number: string;
  kind: DeadlineKind;
  at: Date;
}

/** What the daily reports are made of, read in a handful of indexed queries. */
export interface ReportData {
  created: TicketSummary[];
  openMajor: OpenMajorTicket[];
  missed: MissedDeadline[];
  teams: TeamDeadline[];
  /** Tickets resolved or closed in the period. */
  finished: TicketSummary[];
}

export interface ReportStore {
  load(period: ReportPeriod, range: { start: Date; end: Date }): Promise<ReportData>;
  /**
   * Keeps a report (the manual asks for archives) with its messages, in one transaction; false
   * (and nothing sent) if that report for that period was kept already.
   */
  archive(record: { kind: ReportKind; period: ReportPeriod; content: unknown }, outbox: Notification[]): Promise<boolean>;
}

export type ReportKind = "major_problems" | "hotline_daily";
