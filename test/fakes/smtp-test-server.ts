/**
 * A real SMTP server on 127.0.0.1 (Nodemailer's smtp-server), requiring AUTH, with each mail that
 * arrives parsed by mailparser:
 *
 *   const smtp = await TestSmtpServer.start();
 *   // send through smtp.url (smtp://user:password@127.0.0.1:port); read smtp.received
 *
 * Tests can make it refuse a recipient (550 at RCPT TO) or defer the next mails with a 4xx reply
 * (421 at the greeting, 451 after DATA), as relays do when they are busy or rate limiting.
 */
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer, type SMTPServerError } from "smtp-server";

export interface ReceivedMail {
  /** The envelope, as the client gave it in MAIL FROM / RCPT TO. */
  envelopeFrom: string;
  envelopeTo: string[];
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string | false;
  messageId: string | undefined;
  contentType: string;
}

const USER = "hotline";
const PASSWORD = "p@ss word/1";

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Every reply the server refused something with, in order. */
  readonly refusals: number[] = [];
  private readonly refused = new Map<string, string>();
  private deferred: { count: number; code: 421 | 451 } = { count: 0, code: 451 };

  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<TestSmtpServer> {
    let fake: TestSmtpServer | undefined;
    const server = new SMTPServer({
      authMethods: ["PLAIN", "LOGIN"],
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onConnect: (_session, callback) => fake!.onConnect(callback),
      onAuth: (auth, _session, callback) =>
        auth.username === USER && auth.password === PASSWORD ? callback(null, { user: USER }) : callback(reply(535, "5.7.8 Authentication credentials invalid")),
      onRcptTo: (address, _session, callback) => fake!.onRcptTo(address.address, callback),
      onData: (stream, session, callback) => void fake!.onData(stream, session, callback),
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.server.address() as AddressInfo;
    fake = new TestSmtpServer(server, `smtp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}`);
    return fake;
  }

  /** The URL with a wrong password, for a refused login. */
  get urlWithWrongPassword(): string {
    return this.url.replace(encodeURIComponent(PASSWORD), "wrong");
  }

  refuseRecipient(address: string, text = "5.1.1 Recipient address rejected: User unknown in virtual mailbox table"): void {
    this.refused.set(address.toLowerCase(), text);
  }

  acceptRecipient(address: string): void {
    this.refused.delete(address.toLowerCase());
  }

  /** The next `count` mails are deferred: 421 closes the connection at the greeting, 451 refuses the mail after DATA. */
  deferNext(count: number, code: 421 | 451): void {
    this.deferred = { count, code };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private onConnect(callback: (error?: Error | null) => void): void {
    if (this.deferred.code === 421 && this.deferred.count > 0) {
      this.deferred.count -= 1;
      return callback(this.refuse(421, "4.7.0 Too many connections, try again later"));
    }
    callback();
  }

  private onRcptTo(address: string, callback: (error?: Error | null) => void): void {
    const text = this.refused.get(address.toLowerCase());
    callback(text ? this.refuse(550, text) : null);
  }

  private async onData(stream: NodeJS.ReadableStream, session: { envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] } }, callback: (error?: Error | null) => void): Promise<void> {
    const mail = await simpleParser(stream as never);
    if (this.deferred.code === 451 && this.deferred.count > 0) {
      this.deferred.count -= 1;
      return callback(this.refuse(451, "4.3.0 Requested action aborted: local error in processing"));
    }
    this.received.push({
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
      envelopeTo: session.envelope.rcptTo.map((r) => r.address),
      from: mail.from?.text ?? "",
      to: Array.isArray(mail.to) ? mail.to.map((t) => t.text).join(", ") : (mail.to?.text ?? ""),
      subject: mail.subject ?? "",
      text: mail.text ?? "",
      html: mail.html ?? false,
      messageId: mail.messageId,
      contentType: String(mail.headers.get("content-type") && (mail.headers.get("content-type") as { value?: string }).value),
    });
    callback();
  }

  private refuse(code: number, text: string): SMTPServerError {
    this.refusals.push(code);
    return reply(code, text);
  }
}

function reply(code: number, text: string): SMTPServerError {
  const error: SMTPServerError = new Error(text);
  error.responseCode = code;
  return error;
}
