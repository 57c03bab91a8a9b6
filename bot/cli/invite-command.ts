import { Api } from "grammy";
import { issueInvite } from "../../core/directory/invites.js";
import { platformSchema, type Platform } from "../../core/directory/organisation.js";
import { isHotlineError } from "../../core/errors.js";
import { createApp } from "../app.js";
import { consoleAccess, consoleBaseUrl } from "../console/console-links.js";
import { loadConfig, type Config } from "../config/env.js";
import { UsageError } from "./usage-error.js";
import { formatZonedTime } from "./zoned-time.js";

/** The chat platforms, and the web console, which takes a sign-in link instead of a code. */
const INVITE_PLATFORMS = [...platformSchema.options, "web"] as const;

function parsePlatform(value: string | undefined): Platform {
  const parsed = platformSchema.safeParse(value ?? "telegram");
  if (!parsed.success) throw new UsageError(`--platform: must be one of ${INVITE_PLATFORMS.join(", ")}`);
  return parsed.data;
}

/** The t.me link that opens the bot with the code, when the bot's name can be asked of Telegram. */
async function telegramLink(config: Config, code: string): Promise<string | undefined> {
  if (!config.TELEGRAM_BOT_TOKEN) return undefined;
  const me = await new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT }).getMe();
  return `https://t.me/${me.username}?start=${code}`;
}

/** What the member sends the bot with the code, where there is no link to open. */
const HOW_TO_REDEEM: Record<Platform, (code: string) => string> = {
  telegram: (code) => `the member sends the bot: /start ${code}`,
  slack: (code) => `the member sends the bot a direct message: start ${code}`,
  wecom: (code) => `the member sends the app: /start ${code}`,
};

/** `hotline invite <member> --platform telegram [--ttl-hours 72]`: a single-use, expiring code. */
export async function inviteCommand(memberId: string | undefined, options: { platform?: string; ttlHours?: string }): Promise<string> {
  if (!memberId) throw new UsageError("usage: hotline invite <member> [--platform telegram|slack|wecom|web] [--ttl-hours 72]");
  const ttlHours = options.ttlHours === undefined ? 72 : Number(options.ttlHours);
  if (!Number.isFinite(ttlHours) || ttlHours <= 0) throw new UsageError("--ttl-hours: must be a positive number of hours");
  if (options.platform === "web") return consoleInvite(memberId, ttlHours);
  const platform = parsePlatform(options.platform);
  const config = loadConfig();
  const app = await createApp(config);
  try {
    const invite = await issueInvite(app.core, { memberId, platform, ttlMinutes: Math.round(ttlHours * 60) });
    const link = platform === "telegram" ? await telegramLink(config, invite.code) : undefined;
    return [
      `Invite for ${invite.member.name.zh} (${invite.member.id}) on ${platform}, single use, valid until ${formatZonedTime(invite.expiresAt, config.TZ)} (${config.TZ}):`,
      `  code: ${invite.code}`,
      link ? `  link: ${link}` : `  ${HOW_TO_REDEEM[platform](invite.code)}`,
    ].join("\n");
  } catch (error) {
    if (isHotlineError(error, "unknown_member")) throw new UsageError(error.message);
    throw error;
  } finally {
    await app.close();
  }
}

/** `hotline invite <member> --platform web`: a one-time link that signs the member in to the console. */
async function consoleInvite(memberId: string, ttlHours: number): Promise<string> {
  const config = loadConfig();
  const app = await createApp(config);
  try {
    if (!(await app.core.directory.findMember(memberId))?.roles.length) throw new UsageError(`${memberId}: not a member with a role in the directory`);
    const link = await consoleAccess(app).issueLink(memberId, Math.round(ttlHours * 60));
    return [
      `Console sign-in for ${link.member.name.zh} (${link.member.id}), single use, valid until ${formatZonedTime(link.expiresAt, config.TZ)} (${config.TZ}):`,
      `  link: ${consoleBaseUrl(config)}/console/link/${link.code}`,
    ].join("\n");
  } finally {
    await app.close();
  }
}

/**
 * `hotline unbind <member> --platform telegram`: the member's accounts there bound by invite can no
 * longer act. An account the organisation file lists would be bound again the next time the bot or
 * the CLI starts (each loads the file): it stays, and the command says where to remove it, exit 2.
 */
export async function unbindCommand(memberId: string | undefined, options: { platform?: string }): Promise<string> {
  if (!memberId) throw new UsageError("usage: hotline unbind <member> [--platform telegram]");
  const platform = parsePlatform(options.platform);
  const app = await createApp(loadConfig());
  try {
    if (!(await app.directory.findMember(memberId))) throw new UsageError(`unknown member "${memberId}"`);
    const listed = await app.db.identity.findMany({ where: { memberId, platform, source: "org" }, select: { externalId: true } });
    if (listed.length === 0) {
      const removed = await app.core.invites.unbind(memberId, platform);
      return removed ? `Unbound ${removed} ${platform} account(s) from ${memberId}.` : `${memberId} has no ${platform} account bound.`;
    }
    const { count } = await app.db.identity.deleteMany({ where: { memberId, platform, source: { not: "org" } } });
    const done = count ? `Unbound ${count} ${platform} account(s) bound by invite from ${memberId}, but` : "Nothing was changed:";
    const accounts = listed.map((identity) => identity.externalId).join(", ");
    throw new UsageError(
      `${done} ${memberId}'s ${platform} account ${accounts} is listed in the organisation file (${app.config.ORG_CONFIG}, identities.${platform} of ${memberId}), which binds it again at every start; remove it there to unbind it.`,
    );
  } finally {
    await app.close();
  }
}
