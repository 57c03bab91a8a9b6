import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bodyOf, MailSender, subjectOf } from "../../../bot/mail/mail-sender.js";
import type { Recipient } from "../../../core/escalation/notification.js";
import { PermanentDeliveryError, type OutboundMessage } from "../../../jobs/delivery-queue.js";
import { TestSmtpServer } from "../../fakes/smtp-test-server.js";

let smtp: TestSmtpServer;
let mail: MailSender;
beforeEach(async () => {
  smtp = await TestSmtpServer.start();
  mail = new MailSender({ smtpUrl: smtp.url, from: "中华汽车售后 <hotline@example.com>", timeoutMs: 5_000, log: pino({ level: "silent" }) });
});
afterEach(async () => {
  mail.close();
  await smtp.close();
});

const customer: Recipient = { kind: "customer", platform: "email", address: "zhang.san@example.com", name: "张三" };
const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  deliveryId: 42, mayHaveArrived: false, recipient: customer, ticketId: 7, view: null, purpose: "receipt",
  card: { title: "回执 HL-20261126-0007", lines: ["您反映的制动问题已处理。", "处理结果：<b>已更换</b> & 试车正常"], fields: [{ label: "工单", value: "HL-20261126-0007" }], choices: [{ id: "/close HL-20261126-0007", label: "关闭" }] },
  ...overrides,
});

async function errorOf(send: Promise<void>): Promise<Error> {
  const error = await send.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe("the mail sender", () => {
  it("sends the card as a plain-text mail: the title the subject, the lines and fields the body", async () => {
    await mail.send(message());
    expect(smtp.received).toHaveLength(1);
    const [got] = smtp.received;
    expect(got).toMatchObject({
      envelopeFrom: "hotline@example.com",
      envelopeTo: ["zhang.san@example.com"],
      subject: "回执 HL-20261126-0007",
      html: false,
      messageId: "<hotline-delivery-42@example.com>",
    });
    expect(got!.contentType).toBe("text/plain");
    expect(got!.from).toContain("中华汽车售后");
    expect(got!.to).toContain("张三");
    expect(got!.text.trim()).toBe("您反映的制动问题已处理。\n处理结果：<b>已更换</b> & 试车正常\n工单: HL-20261126-0007");
    expect(got!.text).not.toContain("/close");
  });

  it("fails for good a recipient the relay refuses with 550, with the relay's reply", async () => {
    smtp.refuseRecipient("zhang.san@example.com");
    const error = await errorOf(mail.send(message()));
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toMatch(/^SMTP 550: 550 5\.1\.1 Recipient address rejected/);
    expect(smtp.received).toEqual([]);
  });

  it("keeps a 421 at the greeting and a 451 after DATA worth another attempt", async () => {
    smtp.deferNext(1, 421);
    const busy = await errorOf(mail.send(message()));
    expect(busy).not.toBeInstanceOf(PermanentDeliveryError);
    expect(busy.message).toContain("421");
    smtp.deferNext(1, 451);
    const local = await errorOf(mail.send(message()));
    expect(local).not.toBeInstanceOf(PermanentDeliveryError);
    expect(local.message).toContain("451");
    await mail.send(message());
    expect(smtp.received).toHaveLength(1);
    expect(smtp.refusals).toEqual([421, 451]);
  });

  it("fails for good a refused login (535) and says so without the password", async () => {
    const wrong = new MailSender({ smtpUrl: smtp.urlWithWrongPassword, from: "hotline@example.com", timeoutMs: 5_000, log: pino({ level: "silent" }) });
    const error = await errorOf(wrong.send(message()));
    wrong.close();
    expect(error).toBeInstanceOf(PermanentDeliveryError);
    expect(error.message).toContain("535");
    expect(error.message).not.toContain("wrong");
  });

  it("fails for good a message to someone other than a customer's e-mail, or to a malformed address", async () => {
    expect(await errorOf(mail.send(message({ recipient: { kind: "member", memberId: "wang.fang", name: "王芳", platform: "telegram", address: "1" } })))).toBeInstanceOf(PermanentDeliveryError);
    const bad = await errorOf(mail.send(message({ recipient: { ...customer, address: "zhang at example" } })));
    expect(bad).toBeInstanceOf(PermanentDeliveryError);
    expect(bad.message).toBe("*** is not an e-mail address");
  });

  it("makes one short subject line of a long or multi-line title, and a body without staff commands", () => {
    expect(subjectOf({ title: "回执\nHL-1", lines: [] })).toBe("回执 HL-1");
    expect(Array.from(subjectOf({ title: "长".repeat(100), lines: [] }))).toHaveLength(78);
    expect(subjectOf({ lines: ["第一行", "第二行"] })).toBe("第一行");
    expect(bodyOf({ lines: ["a"], pickers: [{ id: "/appoint", label: "x" }] })).toBe("a");
  });
});
