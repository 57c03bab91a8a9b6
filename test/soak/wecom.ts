/**
 * WeCom in the soak: staff on WeCom report by app message, each answer a text message that WeCom
 * POSTs, encrypted and signed, to the bot's callback (test/fakes/wecom-api.ts builds it as WeCom
 * does); the bot answers with app messages through the fake WeCom API.
 */
import { WecomCrypto } from "../../bot/wecom/wecom-crypto.js";
import { encryptedCallback, textMessageXml, type EncryptedCallback } from "../fakes/wecom-api.js";
import type { Inbox } from "./inbox.js";
import type { SoakStaff } from "./soak-organisation.js";
import type { ReportChannel } from "./users.js";

/** The soak's WeCom app: what the fake API and the bot's WECOM_* settings share. */
export const SOAK_WECOM = {
  corpId: "ww50a4c0de5eed0001",
  agentId: 1000002,
  secret: "soak-wecom-app-secret",
  token: "hotlineSoak42",
  encodingAesKey: Buffer.alloc(32, 7).toString("base64").slice(0, 43),
} as const;

/** The bot's WECOM_* settings for the soak's app and a fake API at `apiBase`. */
export function wecomEnv(apiBase: string): Record<string, string> {
  return {
    WECOM_CORP_ID: SOAK_WECOM.corpId,
    WECOM_AGENT_ID: String(SOAK_WECOM.agentId),
    WECOM_SECRET: SOAK_WECOM.secret,
    WECOM_TOKEN: SOAK_WECOM.token,
    WECOM_ENCODING_AES_KEY: SOAK_WECOM.encodingAesKey,
    WECOM_API_BASE: apiBase,
  };
}

const crypto = new WecomCrypto({ token: SOAK_WECOM.token, encodingAesKey: SOAK_WECOM.encodingAesKey, corpId: SOAK_WECOM.corpId });
let nextMsgId = 7_200_000_000_000_000n;

/**
 * A staff member's chat with the app: each thing they type is a text message with a MsgId of its
 * own, encrypted once as WeCom sends it (a retry is the same request). `post` hands it to WeCom.
 */
export function wecomChannel(inbox: Inbox, staff: SoakStaff, post: (callback: EncryptedCallback, submit: boolean) => void): ReportChannel {
  const userid = staff.wecomId;
  if (!userid) throw new Error(`${staff.memberId} has no WeCom userid`);
  return {
    platform: "wecom",
    chatId: userid,
    inbox,
    send: (text, submit) => {
      const msgId = String(nextMsgId++);
      post(encryptedCallback(crypto, textMessageXml({ toUser: SOAK_WECOM.corpId, fromUser: userid, content: text, agentId: SOAK_WECOM.agentId, msgId })), submit);
      return msgId;
    },
  };
}
