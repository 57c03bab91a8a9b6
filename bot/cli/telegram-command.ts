import { Api } from "grammy";
import { loadConfig } from "../config/env.js";
import { TELEGRAM_WEBHOOK_PATH } from "../telegram/telegram-adapter.js";
import { UsageError } from "./usage-error.js";

/** `hotline telegram set-webhook <public-url>` and `delete-webhook`. */
export async function telegramCommand(action: string | undefined, url: string | undefined): Promise<string> {
  const config = loadConfig();
  if (!config.TELEGRAM_BOT_TOKEN) throw new UsageError("TELEGRAM_BOT_TOKEN is not set");
  const api = new Api(config.TELEGRAM_BOT_TOKEN, { apiRoot: config.TELEGRAM_API_ROOT });
  switch (action) {
    case "set-webhook": {
      if (!url || !/^https:\/\//.test(url)) throw new UsageError("usage: hotline telegram set-webhook https://<public host>[/telegram/webhook]");
      if (!config.TELEGRAM_WEBHOOK_SECRET) throw new UsageError("TELEGRAM_WEBHOOK_SECRET must be set first: the server checks it on every webhook call");
      const target = url.replace(/\/+$/, "").endsWith(TELEGRAM_WEBHOOK_PATH) ? url.replace(/\/+$/, "") : `${url.replace(/\/+$/, "")}${TELEGRAM_WEBHOOK_PATH}`;
      await api.setWebhook(target, { secret_token: config.TELEGRAM_WEBHOOK_SECRET, allowed_updates: ["message", "callback_query"] });
      return `Telegram will deliver updates to ${target}`;
    }
    case "delete-webhook":
      await api.deleteWebhook();
      return "Webhook removed; the bot long-polls when TELEGRAM_WEBHOOK_SECRET is unset.";
    default:
      throw new UsageError("usage: hotline telegram set-webhook <public-url> | delete-webhook");
  }
}
