/**
 * The soak's organisation file: the default organisation with every member on Telegram (so every
 * message the bot writes has a platform the soak fakes and can check) and, with Slack, the
 * after-sales and QA leads preferring Slack; extra service-center staff for the simulated
 * reporters, the last of them on Slack or WeCom where asked; the escalation channel in a Telegram
 * group (and in Slack); and deadlines in minutes instead of hours, so reminders, escalations and
 * misses all happen within the run.
 */
import { writeOrganisationFile } from "../support/organisation.js";

/** Telegram ids of the soak's accounts; private chats have the user's id. */
const FIRST_EXTRA_STAFF_ID = 710_001;
const FIRST_MEMBER_ID = 810_001;
export const ESCALATION_GROUP_ID = -1_009_000_000_001;

export interface SoakStaff {
  memberId: string;
  telegramId: number;
  locale: "zh" | "en";
  /** Where they report and hear back: Telegram, or Slack or WeCom (their preferred platform). */
  platform: "telegram" | "slack" | "wecom";
  /** Their Slack member id (U…) or WeCom userid, on those platforms. */
  slackId?: string;
  wecomId?: string;
}

export interface SoakOrganisation {
  file: string;
  staff: SoakStaff[];
  /** Telegram id → member id, for every account in the file. */
  members: Map<number, string>;
  /** Member id → Slack id, for the members who prefer Slack. */
  slackIds: Map<string, string>;
  acknowledgeMinutes: number;
  reminderMinutesBefore: number;
}

interface RawMember {
  id: string;
  roles: string[];
  locale?: string;
  serviceCenter?: string;
  identities?: Record<string, string>;
  preferredPlatform?: string;
  name: { zh: string; en: string };
}

export interface SoakOrganisationOptions {
  /** Service-center staff who report. */
  staff: number;
  acknowledgeMinutes: number;
  slackLeads: readonly string[];
  /** How many of the staff (the last ones) report on Slack, and how many before them on WeCom. */
  slackStaff?: number;
  wecomStaff?: number;
}

export function writeSoakOrganisation(dir: string, options: SoakOrganisationOptions): SoakOrganisation {
  const reminderMinutesBefore = options.acknowledgeMinutes / 2;
  const staff: SoakStaff[] = [];
  const members = new Map<number, string>();
  const slackIds = new Map<string, string>();
  const file = writeOrganisationFile(dir, (raw) => {
    const list = raw.members as RawMember[];
    const defaultStaff = list.filter((m) => m.roles.includes("staff"));
    const centers = (raw.serviceCenters as { id: string }[]).map((c) => c.id);
    for (let i = defaultStaff.length; i < options.staff; i++) {
      const n = String(i + 1).padStart(2, "0");
      list.push({
        id: `soak.staff${n}`,
        name: { zh: `浸泡${n}`, en: `Soak Staff ${n}` },
        roles: ["staff"],
        serviceCenter: centers[i % centers.length]!,
        identities: { telegram: String(FIRST_EXTRA_STAFF_ID + i) },
      });
    }
    list.forEach((member, i) => {
      const telegram = Number(member.identities?.telegram ?? FIRST_MEMBER_ID + i);
      const slack = member.identities?.slack;
      member.identities = { telegram: String(telegram) };
      delete member.preferredPlatform;
      members.set(telegram, member.id);
      if (slack && options.slackLeads.includes(member.id)) {
        member.identities.slack = slack;
        member.preferredPlatform = "slack";
        slackIds.set(member.id, slack);
      }
    });
    const reporters = list.filter((m) => m.roles.includes("staff")).slice(0, options.staff);
    const onSlack = options.slackStaff ?? 0;
    const onWecom = options.wecomStaff ?? 0;
    if (onSlack + onWecom > reporters.length) throw new Error(`${onSlack} staff on Slack and ${onWecom} on WeCom, but only ${reporters.length} staff`);
    for (const [i, member] of reporters.entries()) {
      const fromEnd = reporters.length - i;
      const n = String(i + 1).padStart(2, "0");
      const each: SoakStaff = { memberId: member.id, telegramId: Number(member.identities!.telegram), locale: member.locale === "en" ? "en" : "zh", platform: "telegram" };
      if (fromEnd <= onSlack) {
        each.platform = "slack";
        each.slackId = `U0SOAKST${n}`;
        member.identities!.slack = each.slackId;
        member.preferredPlatform = "slack";
      } else if (fromEnd <= onSlack + onWecom) {
        each.platform = "wecom";
        each.wecomId = `soakstaff${n}`;
        member.identities!.wecom = each.wecomId;
        member.preferredPlatform = "wecom";
      }
      staff.push(each);
    }
    const channels = raw.channels as Record<string, unknown>[];
    raw.channels = [
      ...channels.map((channel) => ({ ...channel, id: `${String(channel.id)}-telegram`, platform: "telegram", externalId: String(ESCALATION_GROUP_ID) })),
      ...(options.slackLeads.length ? channels.filter((channel) => channel.platform === "slack") : []),
    ];
    const minutes = options.acknowledgeMinutes;
    raw.deadlines = {
      acknowledgeMinutes: { general: minutes, level1: minutes, level2: minutes, level3: minutes },
      measuresMinutes: minutes * 1.5,
      feedbackMinutes: minutes * 2,
      receiptMinutes: minutes * 2.5,
      reminderMinutesBefore: [reminderMinutesBefore],
    };
    // Every report's pings go out at once, as the soak's invariants count them; after-sales'
    // confirmation first is walked in test/integration/after-sales-loop.test.ts and the platform scenarios.
    raw.confirmation = { levels: [] };
  });
  return { file, staff, members, slackIds, acknowledgeMinutes: options.acknowledgeMinutes, reminderMinutesBefore };
}
