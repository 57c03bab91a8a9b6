import type { BotCommand } from "grammy/types";
import { commandMenu as menuOf } from "../../core/conversation/commands.js";
import type { Organisation } from "../../core/directory/organisation.js";

/** Telegram's limits on setMyCommands (https://core.telegram.org/bots/api#botcommand). */
export const TELEGRAM_MENU_LIMITS = {
  /** A command: 1 to 32 of a–z, 0–9 and _. */
  command: /^[a-z0-9_]{1,32}$/,
  /** A description: 1 to 256 characters. */
  descriptionLength: 256,
  /** At most 100 commands in a menu. */
  commands: 100,
} as const;

/** The command menu (setMyCommands), in Chinese (the default) and English: the core's command table. */
export const commandMenu = (language: "zh" | "en", org: Organisation): BotCommand[] =>
  menuOf(org, language === "en" ? "en" : "zh-CN").map(({ command, description }) => ({ command, description }));
