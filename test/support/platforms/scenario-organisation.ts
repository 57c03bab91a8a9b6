import { writeOrganisationFile } from "../organisation.js";

/** The platforms a scenario runs on: the three chat adapters and the terminal chat. */
export type ScenarioPlatform = "telegram" | "slack" | "wecom" | "terminal";
export const SCENARIO_PLATFORMS: readonly ScenarioPlatform[] = ["telegram", "slack", "wecom", "terminal"];

/** The default organisation's escalation channel: every scenario has it, on its own platform. */
export const ESCALATION_CHANNEL = "escalations";
/** Where the escalation channel lives on Telegram (a supergroup) and WeCom (an app group chat). */
export const TELEGRAM_ESCALATION_GROUP = -1_009_000_000_001;
export const WECOM_ESCALATION_CHAT = "hlescalations";

/** Raw organisation file entries, as the edits see them (before validation). */
export interface RawMember {
  id: string;
  identities?: Record<string, string>;
  preferredPlatform?: string;
  [field: string]: unknown;
}
export interface RawChannel {
  id: string;
  platform: string;
  externalId: string;
  [field: string]: unknown;
}

/** An account for a member who has none on the platform yet; existing ones are kept. */
const NEW_ACCOUNT: Record<Exclude<ScenarioPlatform, "terminal">, (member: RawMember, index: number) => string> = {
  telegram: (_member, index) => String(300_000_001 + index),
  slack: (_member, index) => `U9${String(index + 1).padStart(9, "0")}`,
  // A WeCom userid: letters, digits and `_-@.`; the member's id without its dot is unique here.
  wecom: (member) => member.id.replace(/[^A-Za-z0-9]/g, ""),
};

const ESCALATION_ADDRESS: Partial<Record<ScenarioPlatform, string>> = {
  telegram: String(TELEGRAM_ESCALATION_GROUP),
  wecom: WECOM_ESCALATION_CHAT,
};

/**
 * Writes the scenario's organisation file into `dir`: the default organisation with every member
 * on `platform` and preferring it, and the escalation channel moved there (Slack's is the default
 * one). The terminal keeps everyone's platforms as they are: its chat shows what reaches a member
 * whatever the platform. `orgEdit` changes the result further, as the scenario needs.
 */
export function writeScenarioOrganisation(dir: string, platform: ScenarioPlatform, orgEdit?: (raw: any) => void): string {
  return writeOrganisationFile(dir, (raw) => {
    if (platform !== "terminal") {
      (raw.members as RawMember[]).forEach((member, index) => {
        member.identities = { ...member.identities };
        member.identities[platform] ??= NEW_ACCOUNT[platform](member, index);
        member.preferredPlatform = platform;
      });
      const address = ESCALATION_ADDRESS[platform];
      const channel = (raw.channels as RawChannel[]).find((c) => c.id === ESCALATION_CHANNEL);
      if (address && channel) Object.assign(channel, { platform, externalId: address });
    }
    orgEdit?.(raw);
  });
}
