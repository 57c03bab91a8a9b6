import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { App } from "../../bot/app.js";
import { writeOrganisationFile } from "../support/organisation.js";
import { freshDatabaseFile, say, startTestApp } from "../support/test-app.js";

/*
 * The receipt (回执, manual §4): a resolution carries its result, and it goes back to the reporter,
 * the service center and the customer (SMS, e-mail), unless the customer asked not to be contacted.
 * The receipt deadline is met once a receipt really went out, or was given by phone.
 */

let app: App;
let db: ReturnType<typeof freshDatabaseFile>;
let orgDir: string | undefined;
const NUMBER = "HL-20261126-0001";

afterEach(async () => {
  await app.close();
  db.cleanup();
  if (orgDir) rmSync(orgDir, { recursive: true, force: true });
  orgDir = undefined;
});

async function start(mutate?: (raw: any) => void) {
  db = freshDatabaseFile();
  const env: Record<string, string> = {};
  if (mutate) {
    orgDir = mkdtempSync(join(tmpdir(), "hotline-org-"));
    env.ORG_CONFIG = writeOrganisationFile(orgDir, mutate);
  }
  app = await startTestApp(db.file, undefined, env);
}

/** A general fault from 马骏 of the Shenyang center: every severity question no. */
async function reportGeneral(customer: { phone: string; email: string; contact: "是" | "否" }) {
  const lines = [
    "/new", "1", "1", "1", "unknown", "unknown", "空调异响，怠速时明显",
    "否", "没有", "否", "否", "否", "个别", "无影响", "无", "否", "否", "否",
    "李女士", customer.phone, "2024-03-05", customer.email, customer.contact, "完成", "1",
  ];
  for (const line of lines) await say(app, "ma.jun", line);
}

const rows = () => app.db.delivery.findMany({ where: { kind: "message", ticketId: { not: null } }, orderBy: { id: "asc" } });
const receiptRows = async () => (await rows()).filter((r) => r.createdAt.getTime() > 0 && (JSON.parse(r.payload).lines as string[]).some((l) => l.includes("处理结果") || l.includes("Result")));
const ticket = async () => (await app.core.tickets.findByNumber(NUMBER))!;
const receiptDeadline = async () => (await ticket()).deadlines.find((d) => d.kind === "receipt")!;

describe("resolving with a result", () => {
  it("keeps the result, who and when, and sends it to the reporter, the center's other staff and the customer by SMS and e-mail", async () => {
    await start();
    await reportGeneral({ phone: "138 1234 5678", email: "li.nvshi@example.com", contact: "是" });
    const resolved = await say(app, "zhou.min", `/resolve ${NUMBER} 已更换空调压缩机，试车正常`);
    expect(resolved.text).toBe(`${NUMBER} 已标记为解决。回执发送：上报人、服务中心、短信通知顾客、电子邮件通知顾客。`);

    const after = await ticket();
    expect(after).toMatchObject({ status: "resolved", result: "已更换空调压缩机，试车正常", resolvedBy: "zhou.min", customerEmail: "li.nvshi@example.com", saleDate: "2024-03-05" });
    expect(after.resolvedAt).toEqual(new Date("2026-11-26T02:00:00Z"));

    const sent = (await receiptRows()).map((r) => ({ platform: r.platform, to: JSON.parse(r.recipient).memberId ?? JSON.parse(r.recipient).address, purpose: r.purpose, lines: JSON.parse(r.payload).lines }));
    expect(sent).toEqual([
      { platform: "telegram", to: "ma.jun", purpose: null, lines: [`回执：你上报的 ${NUMBER} 已处理完毕（周敏）。处理结果：已更换空调压缩机，试车正常`] },
      { platform: "wecom", to: "wang.fang", purpose: null, lines: [`回执：${NUMBER} 已处理完毕（周敏）。处理结果：已更换空调压缩机，试车正常`] },
      {
        platform: "sms",
        to: "+8613812345678",
        purpose: "receipt",
        lines: [
          `尊敬的李女士：\n您反映的问题（服务单 ${NUMBER}）已处理完毕。\n处理结果：已更换空调压缩机，试车正常\n服务单位：沈阳特约服务中心\n如有疑问，请联系为您服务的特约服务中心。\n华晨汽车售后服务事业部`,
        ],
      },
      { platform: "email", to: "li.nvshi@example.com", purpose: "receipt", lines: expect.any(Array) },
    ]);
    const [sms, email] = (await rows()).filter((r) => r.purpose === "receipt");
    expect(JSON.parse(sms!.template!)).toEqual({ id: "receipt", params: { number: NUMBER, result: "已更换空调压缩机，试车正常" } });
    expect(JSON.parse(email!.payload).title).toBe(`华晨汽车售后服务事业部：您的服务单 ${NUMBER} 已处理完毕`);

    // Resolving met the center's feedback, not the receipt: no receipt has gone out yet.
    expect(after.deadlines.filter((d) => d.kind === "feedback").map((d) => d.status)).toEqual(["met"]);
    expect((await receiptDeadline()).status).toBe("pending");
    expect((await say(app, "zhou.min", `/status ${NUMBER}`)).text).toContain("✔ 处理结果：已更换空调压缩机，试车正常（周敏，2026-11-26 10:00）");
    expect((await say(app, "zhou.min", `/timeline ${NUMBER}`)).text).toContain("周敏 标记解决：已更换空调压缩机，试车正常");
  });

  it("asks for the result when it is missing, as the Resolve button sends it, and resolves with the next message", async () => {
    await start();
    await reportGeneral({ phone: "13812345678", email: "无", contact: "是" });
    expect((await say(app, "zhou.min", `/resolve ${NUMBER}`)).text).toBe(`请输入 ${NUMBER} 的处理结果（将回执服务中心和顾客；/cancel 取消）`);
    expect((await ticket()).status).not.toBe("resolved");
    await say(app, "zhou.min", "已电话指导顾客重置空调");
    expect(await ticket()).toMatchObject({ status: "resolved", result: "已电话指导顾客重置空调" });
  });

  it("sends the customer nothing when they asked not to be contacted: the center's receipt is the one that counts", async () => {
    await start();
    await reportGeneral({ phone: "13812345678", email: "li.nvshi@example.com", contact: "否" });
    expect((await ticket()).doNotContact).toBe(true);
    const resolved = await say(app, "zhou.min", `/resolve ${NUMBER} 已更换空调压缩机`);
    expect(resolved.text).toBe(`${NUMBER} 已标记为解决。回执发送：上报人、服务中心。`);
    const sent = await receiptRows();
    expect(sent.map((r) => [r.platform, JSON.parse(r.recipient).memberId, r.purpose])).toEqual([["telegram", "ma.jun", null], ["wecom", "wang.fang", "receipt"]]);
  });

  it("sends no SMS to a landline, and with no e-mail either the center's receipt counts", async () => {
    await start();
    await reportGeneral({ phone: "024-12345678", email: "无", contact: "是" });
    await say(app, "zhou.min", `/resolve ${NUMBER} 已处理`);
    const sent = await receiptRows();
    expect(sent.map((r) => [r.platform, r.purpose])).toEqual([["telegram", null], ["wecom", "receipt"]]);
    expect(sent.find((r) => r.purpose === "receipt")?.recipient).toContain("wang.fang");
  });

  it("posts the center's receipt in its group chat where the organisation file names one", async () => {
    await start((raw) => {
      raw.channels.push({ id: "sc-shenyang-group", name: { zh: "沈阳服务站群", en: "Shenyang center" }, platform: "telegram", externalId: "-100777", purpose: "service_center", serviceCenter: "sc-shenyang" });
    });
    await reportGeneral({ phone: "13812345678", email: "无", contact: "否" });
    await say(app, "zhou.min", `/resolve ${NUMBER} 已更换空调压缩机`);
    const sent = await receiptRows();
    expect(sent.map((r) => [r.platform, JSON.parse(r.recipient).kind, JSON.parse(r.recipient).address ?? null, r.purpose])).toEqual([
      ["telegram", "member", "200000002", null],
      ["telegram", "channel", "-100777", "receipt"],
    ]);
  });
});

describe("/receipt <no> phone", () => {
  it("is refused before the ticket is resolved, then records the call and meets the receipt deadline", async () => {
    await start();
    await reportGeneral({ phone: "024-12345678", email: "无", contact: "是" });
    expect((await say(app, "zhou.min", `/receipt ${NUMBER} phone`)).text).toBe(`${NUMBER} 尚未解决：回执带有处理结果，请先 /resolve ${NUMBER} <处理结果>。`);
    await say(app, "zhou.min", `/resolve ${NUMBER} 已更换空调压缩机`);
    expect((await say(app, "zhou.min", `/receipt ${NUMBER} phone 已致电李女士告知`)).text).toBe(`已记录 ${NUMBER} 的电话回执。`);
    expect((await receiptDeadline()).status).toBe("met");
    const record = (await ticket()).records;
    expect(record).toMatchObject([{ kind: "phone_receipt", text: "已致电李女士告知", by: "zhou.min" }]);
    expect((await say(app, "zhou.min", `/timeline ${NUMBER}`)).text).toContain("周敏 记录电话回执顾客：已致电李女士告知");
  });

  it("asks how the receipt was given when only the ticket is named, and refuses those who do not call customers", async () => {
    await start();
    await reportGeneral({ phone: "024-12345678", email: "无", contact: "是" });
    await say(app, "zhou.min", `/resolve ${NUMBER} 已处理`);
    const asked = await say(app, "zhou.min", `/receipt ${NUMBER}`);
    expect(asked.replies[0]).toMatchObject({ lines: [`${NUMBER} 的回执是怎样给顾客的？（/cancel 取消）`], choices: [{ id: "phone", label: "电话告知" }] });
    expect((await say(app, "chen.jie", `/receipt ${NUMBER} phone`)).text).toBe(`只有上报人、所委派服务中心和售后服务部可以记录 ${NUMBER} 的回执。`);
    expect((await say(app, "guo.tao", `/receipt ${NUMBER} phone`)).text).toBe(`Only the reporter, the assigned service center and members of After-Sales Department can record the receipt on ${NUMBER}.`);
  });
});
