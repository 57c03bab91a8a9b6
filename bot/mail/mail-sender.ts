import { createTransport, type NodemailerError, type Transporter } from "nodemailer";
import type { Card } from "../../core/messages/card.js";
import { maskEmail } from "../../core/tickets/ticket.js";
import { parseEmail } from "../../core/validation/email.js";
import { PermanentDeliveryError, type Sender } from "../../jobs/delivery-queue.js";
import type { Logger } from "../logger.js";

export interface MailSenderOptions {
  /** smtp://user:password@host:587 (STARTTLS when the server offers it) or smtps://…:465 (TLS from the start). */
  smtpUrl: string;
  /** The From address: `Hotline <hotline@example.com>` or a bare address. */
  from: string;
  /** Connecting, the greeting and each command. @defaultValue 30_000 (ms) */
  timeoutMs?: number;
  log: Logger;
}

/** An e-mail's subject line: one line, and short enough for a list of mails (RFC 5322 §2.1.1 suggests 78 a line). */
const SUBJECT_MAX_CHARS = 78;

/**
 * The `email` channel: a customer's message as a plain-text mail through an SMTP relay. The card
 * is the mail: its title the subject, its lines (and fields) the body. Plain text only, so what
 * people typed reaches the customer as they typed it, with no markup to escape.
 */
export class MailSender {
  private readonly transport: Transporter;
  private readonly log: Logger;

  constructor(private readonly options: MailSenderOptions) {
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.transport = createTransport({ url: options.smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs, logger: false });
    this.log = options.log.child({ module: "mail" });
  }

  readonly send: Sender = async ({ deliveryId, recipient, card }) => {
    if (recipient.kind !== "customer" || recipient.platform !== "email") throw new PermanentDeliveryError(`e-mail goes only to a customer's address, not to a ${recipient.kind}`);
    const address = parseEmail(recipient.address);
    if (!address.ok) throw new PermanentDeliveryError(`${maskEmail(recipient.address)} is not an e-mail address`);
    try {
      const info = await this.transport.sendMail({
        from: this.options.from,
        to: { name: recipient.name, address: address.value },
        subject: subjectOf(card),
        text: bodyOf(card),
        // The same id on every attempt: a mail sent again after a crash is recognisably the same.
        ...(deliveryId !== null ? { messageId: `<hotline-delivery-${deliveryId}@${domainOf(this.options.from)}>` } : {}),
      });
      this.log.info({ delivery: deliveryId, messageId: info.messageId }, "mail accepted");
    } catch (error) {
      throw deliveryErrorOf(error);
    }
  };

  close(): void {
    this.transport.close();
  }
}

export function subjectOf(card: Card): string {
  const line = (card.title ?? card.lines[0] ?? "").replace(/\s+/g, " ").trim();
  const chars = Array.from(line);
  return chars.length <= SUBJECT_MAX_CHARS ? line : `${chars.slice(0, SUBJECT_MAX_CHARS - 1).join("")}…`;
}

/** The card's lines and fields; its commands and pickers are for staff, not customers. */
export function bodyOf(card: Card): string {
  return [...card.lines, ...(card.fields ?? []).map((f) => `${f.label}: ${f.value}`)].join("\n");
}

function domainOf(from: string): string {
  const match = /@([^\s>]+)>?\s*$/.exec(from);
  return match?.[1] ?? "hotline.invalid";
}

/**
 * RFC 5321 §4.2.1: a 5yz reply is a permanent refusal (the same mail would be refused again), a
 * 4yz reply a transient one (a full mailbox, greylisting, a relay's rate limit: 421, 451, 452).
 * 503 (bad sequence of commands) is the session's state, not the mail: tried again on a new
 * connection. No reply at all (refused connection, timeout, TLS) is worth another attempt.
 */
function deliveryErrorOf(error: unknown): Error {
  const smtp = error as NodemailerError;
  const reply = smtp.response ? `: ${smtp.response}` : "";
  const code = smtp.responseCode;
  const message = `SMTP ${code ?? smtp.code ?? "error"}${reply || `: ${smtp.message}`}`;
  if (code !== undefined && code >= 500 && code !== 503) return new PermanentDeliveryError(message);
  if (smtp.code === "ECONFIG" || smtp.code === "ENOAUTH") return new PermanentDeliveryError(`${message}; check SMTP_URL`);
  return new Error(message);
}
