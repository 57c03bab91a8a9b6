import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../prisma/project-root.js";
import { LEVEL1_COMPLAINT, LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";
import { signInLink, useConsole } from "./console-http.js";

/*
 * The console in a real browser: Debian's Chromium, headless, a fresh profile for each person.
 * Each journey leaves a screenshot of its last page in test-output/console/.
 */

const SCREENSHOTS = join(PROJECT_ROOT, "test-output", "console");
const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const scene = useTestApp();
let browser: Browser;

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
afterAll(() => browser?.close());
const consoleServer = useConsole(scene, () => scene.report("wang.fang", LEVEL2_FAULT));

/** A person in a browser of their own (a fresh context: no cookies), signed in by the link they were given. */
async function personSignedIn(memberId: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  await page.goto(consoleServer.url + (await signInLink(scene.app, memberId)));
  await page.getByRole("button", { name: "以此链接登录" }).click();
  await page.waitForURL("**/console/password");
  await page.locator('main a[href="/console"]').click(); // keeps using links (in the member's own language)
  await page.waitForURL(/\/console$/);
  return page;
}

const screenshot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

describe("the console in Chromium", () => {
  it("an agent takes a major call by keyboard, double-clicks submit and reads its one number; after-sales' open board shows it without a reload", async () => {
    const afterSales = await personSignedIn("zhou.min");
    await expect.poll(() => afterSales.locator("table tbody tr").count()).toBe(1);
    const complaints = afterSales.locator('#kind option[value="complaint"]');
    await expect.poll(() => complaints.innerText()).toBe("顾客投诉 (0)");
    const agent = await personSignedIn("liu.fang");
    await agent.getByRole("link", { name: "受理来电" }).click();
    await agent.getByRole("button", { name: "开始上报" }).click();
    const answers = [...LEVEL1_COMPLAINT.slice(1), "1"];
    for (const answer of answers.slice(0, -1)) {
      await agent.getByLabel("回答").fill(answer);
      await agent.getByRole("button", { name: "发送" }).click();
      await agent.waitForLoadState();
    }
    // At the summary, before submitting: the severity beside the questions, and the caller's history.
    const soFar = await agent.getByRole("complementary").innerText();
    expect(soFar).toContain("1 级");
    expect(soFar).toContain("来电历史");
    await screenshot(agent, "agent-before-submitting");
    // Submitted with a double click, as an agent in a hurry does: one ticket, and its page.
    await agent.getByLabel("回答").fill(answers.at(-1)!);
    await agent.getByRole("button", { name: "发送" }).dblclick();
    const second = "HL-20261126-0002";
    await agent.waitForURL(`**/console/tickets/${second}?result=*`);
    expect(await agent.locator("main").innerText()).toContain(`已登记工单 ${second}`);
    await screenshot(agent, "agent-files-a-call");
    expect((await scene.app.core.tickets.findByNumber(second))?.level).toBe(1);
    expect(await scene.app.db.ticket.count()).toBe(2);
    await agent.reload(); // the page after the redirect: reloading it files nothing
    expect(await scene.app.db.ticket.count()).toBe(2);
    // The board was loaded before the call: it fetches itself again when told of the change.
    await expect.poll(() => afterSales.locator("table tbody tr").count(), { timeout: 10_000 }).toBe(2);
    expect(await afterSales.getByRole("link", { name: second }).count()).toBe(1);
    await expect.poll(() => complaints.innerText(), { timeout: 10_000 }).toBe("顾客投诉 (1)");
    await screenshot(afterSales, "board-shows-the-new-call");
  });

  it("after-sales finds the new major fault on the board, confirms it and grades it with a reason", async () => {
    const page = await personSignedIn("zhou.min");
    await expect.poll(() => page.locator("table tbody tr").count()).toBe(1);
    expect(await page.locator("table").innerText()).toContain("行驶中制动失灵");
    await page.getByRole("link", { name: FIRST_TICKET }).click();
    await page.waitForURL(`**/console/tickets/${FIRST_TICKET}`);
    expect(await page.locator("dl").first().innerText()).toContain("LSGPC52U6AF102554");

    await page.getByLabel("命令", { exact: true }).selectOption("confirm");
    await page.getByRole("button", { name: "执行" }).click();
    await page.waitForLoadState();
    expect((await scene.ticket()).status).toBe("confirmed");

    await page.getByLabel("命令", { exact: true }).selectOption("grade");
    await page.getByRole("button", { name: "执行" }).click();
    await page.getByRole("button", { name: "1 级" }).click();
    await page.getByLabel("回答").fill("驾驶员受伤 <b>需要</b> 立即支持");
    await page.getByRole("button", { name: "发送" }).click();
    await page.waitForLoadState();
    expect((await scene.ticket()).level).toBe(1);
    expect(await page.locator("main").innerText()).toContain("驾驶员受伤 <b>需要</b> 立即支持");
    await screenshot(page, "after-sales-grades");
  });

  it("a QA lead's acknowledgement from chat shows on the ticket page; a filter narrows the board on a phone screen", async () => {
    const page = await personSignedIn("zhou.min", { width: 390, height: 844 });
    await say(scene.app, "zhou.min", `/confirm ${FIRST_TICKET}`);
    await say(scene.app, "chen.jie", `/ack ${FIRST_TICKET}`);
    await page.goto(`${consoleServer.url}/console/tickets/${FIRST_TICKET}`);
    expect(await page.locator("main").innerText()).toMatch(/陈杰.*响应/);
    await page.goto(`${consoleServer.url}/console`);
    await page.getByLabel("类型").selectOption("complaint");
    await page.getByRole("button", { name: "筛选" }).click();
    await page.waitForURL(/kind=complaint/);
    expect(await page.locator("p.count").innerText()).toContain("共 0 张");
    await page.getByLabel("类型").selectOption("fault");
    await page.getByRole("button", { name: "筛选" }).click();
    await page.waitForURL(/kind=fault/);
    expect(await page.locator("p.count").innerText()).toContain("共 1 张");
    await screenshot(page, "board-on-a-phone");
  });

  it("another center's staff, signed in in a second browser, get a 404 for the ticket; the other language is a click away", async () => {
    const page = await personSignedIn("guo.tao"); // reads English, as the directory says
    const response = await page.goto(`${consoleServer.url}/console/tickets/${FIRST_TICKET}`);
    expect(response?.status()).toBe(404);
    await page.goto(`${consoleServer.url}/console`);
    expect(await page.locator("h1").innerText()).toBe("Tickets");
    await page.getByRole("link", { name: "中文" }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("工单");
    expect(await page.locator("p.count").innerText()).toContain("共 0 张");
    await page.getByRole("link", { name: "English" }).click();
    await expect.poll(() => page.locator("h1").innerText()).toBe("Tickets");
    expect(await page.locator("p.count").innerText()).toContain("0 tickets");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/console/sign-in");
    await page.goto(`${consoleServer.url}/console`);
    expect(page.url()).toMatch(/\/console\/sign-in$/);
    await screenshot(page, "signed-out");
  });
  it("a manager opens the week's report from the header, reads its charts and makes its documents", async () => {
    const page = await personSignedIn("zhao.ming");
    await page.getByRole("link", { name: "报表" }).click();
    await page.waitForURL("**/console/reports");
    await page.getByLabel("期间").selectOption("week");
    await page.getByRole("button", { name: "查看" }).click();
    await page.waitForURL(/period=week/);
    expect(await page.locator("main").innerText()).toContain("重大质量问题日报告 2026-11-20 ~ 2026-11-26");
    const byLevel = page.getByRole("img", { name: /新增重大质量信息/ });
    expect(await byLevel.getAttribute("aria-label")).toContain("2 级 1");
    // The bar for level 2 is drawn, the empty ones are a sliver.
    const widths = await byLevel.locator("rect").evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute("width"))));
    expect(widths).toEqual([1, 220, 1, 1]);
    // The week's documents, made from the page by keyboard, then listed to download.
    const documents = page.getByRole("region", { name: "文档" });
    expect(await documents.innerText()).toContain("此期间还没有存档的文档。");
    await page.getByRole("button", { name: "立即生成文档" }).focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/console\/reports\?period=week&result=/);
    expect(await page.locator("main").innerText()).toContain("已生成 3 份文档并存档。");
    const links = documents.getByRole("link");
    expect(await links.allInnerTexts()).toEqual(["售后服务考核周报（PDF）", "售后服务考核周报（XLSX）", "考核周趋势图（PNG）"]);
    const download = page.waitForEvent("download");
    await links.first().click();
    expect((await download).suggestedFilename()).toMatch(/^2026-11-20~2026-11-26-.+\.pdf$/);
    expect(await page.getByRole("region", { name: "导出工单" }).getByRole("button").allInnerTexts()).toEqual(["下载 XLSX", "下载 CSV"]);
    await screenshot(page, "manager-reads-the-week");
    // On a phone the documents and the export stack, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    await screenshot(page, "manager-week-on-a-phone");
  });
});
