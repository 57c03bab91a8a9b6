import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { handleMessage, pendingPrompt, type InboundMessage } from "../../core/conversation/handle-message.js";
import type { Member } from "../../core/directory/member.js";
import type { Card } from "../../core/messages/card.js";
import { pick } from "../../core/messages/locale.js";
import { normalizeTicketNumber, type AttachmentRef } from "../../core/tickets/ticket.js";
import { createApp, type App } from "../app.js";
import { loadConfig } from "../config/env.js";
import { renderCard, renderNotification } from "../terminal/render-card.js";
import { MemberOutbox } from "./member-outbox.js";
import { UsageError } from "./usage-error.js";

interface ChatIo {
  input: Readable;
  print: (text: string) => void;
}

/**
 * Turns a terminal line into what a chat platform would deliver: a number picks an option of
 * the last question (a button press), `/attach <file>` sends a file (to the report, or to the
 * ticket `/attach` asked files for). `/attach HL-…` is the command, and `/attach HL-… <file>`
 * the command with its file, as a photo captioned with it is on Telegram: a path that exists is a
 * file, anything else is left to the core.
 */
function toInbound(line: string, member: Member, lastCard: Card | undefined): InboundMessage {
  const base = { member, conversation: `terminal:${member.id}` };
  const text = line.trim();
  const numbered = lastCard?.typedAnswer ? undefined : lastCard?.choices;
  const picked = /^\d+$/.test(text) ? numbered?.[Number(text) - 1] : undefined;
  if (picked) return { ...base, choice: picked.id };
  const attach = /^\/attach\s+(.+)$/.exec(text)?.[1];
  if (attach !== undefined) {
    const file = fileAt(attach);
    if (file) return { ...base, attachments: [file] };
    const ticket = attach.split(/\s+/)[0]!;
    const withTicket = normalizeTicketNumber(ticket) ? fileAt(attach.slice(ticket.length).trim()) : undefined;
    if (withTicket) return { ...base, text: `/attach ${ticket}`, attachments: [withTicket] };
  }
  return { ...base, text };
}

/** A file the terminal sends as a chat platform would: its path as the file id. */
function fileAt(path: string): AttachmentRef | undefined {
  const absolute = resolve(path);
  return path && existsSync(absolute) ? { platform: "terminal", fileId: absolute, kind: "document", name: basename(absolute) } : undefined;
}

/** `hotline chat --as <member>`: the same dialogs and commands as the chat platforms, in the terminal. */
export async function chatCommand(memberId: string | undefined, io: ChatIo): Promise<void> {
  const app = await createApp(loadConfig());
  let outbox: MemberOutbox | undefined;
  try {
    const member = memberId ? await app.directory.findMember(memberId) : undefined;
    if (!member) {
      const ids = (await app.directory.listMembers()).map((m) => m.id).join(", ");
      throw new UsageError(`${memberId ? `unknown member "${memberId}"` : "missing --as <member>"}; members: ${ids}`);
    }
    io.print(`Hotline terminal chat as ${pick(member.name, member.locale ?? app.config.DEFAULT_LOCALE)} (${member.id}). /help lists commands, /quit leaves.`);
    outbox = new MemberOutbox(app.outbox, member.id, io.print);
    await outbox.start();
    await converse(app, member, io);
  } finally {
    await outbox?.stop();
    // Ending the loop closes readline but not its input: an open stdin (a terminal, a pipe) would
    // keep the process running after /quit.
    io.input.destroy();
    await app.close();
  }
}

/** Reads lines until /quit, /exit or the end of the input; each line is one unit of work. */
async function converse(app: App, member: Member, io: ChatIo): Promise<void> {
  let lastCard: Card | undefined;
  const show = (card: Card) => {
    io.print(renderCard(card));
    if (card.choices?.length) lastCard = card;
  };
  const pending = await app.unitOfWork.run(({ core }) => pendingPrompt(core, member, `terminal:${member.id}`));
  if (pending) show(pending);
  for await (const line of createInterface({ input: io.input, terminal: false })) {
    if (/^\/(quit|exit)$/.test(line.trim())) break;
    if (!line.trim()) continue;
    // Re-read the member each time: /lang changes their language.
    const current = (await app.directory.findMember(member.id)) ?? member;
    const inbound = toInbound(line, current, lastCard);
    lastCard = undefined;
    // One transaction per line, as an adapter has per event: the ticket and the dialog's end commit together.
    const result = await app.unitOfWork.run(({ core }) => handleMessage(core, inbound));
    result.replies.forEach(show);
    if (result.notifications.length) {
      io.print(`— ${result.notifications.length} notification(s) queued for delivery:`);
      result.notifications.forEach((n) => io.print(renderNotification(n)));
    }
  }
}
