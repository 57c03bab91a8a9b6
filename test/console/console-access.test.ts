import { beforeEach, describe, expect, it, vi } from "vitest";
import { FREE_WRONG_PASSWORDS, waitAfter } from "../../bot/console/console-access.js";
import { ConsoleStore } from "../../prisma/stores/console-store.js";
import { pdfText } from "../support/pdf-text.js";
import { LEVEL2_FAULT } from "../support/report-script.js";
import { FIRST_TICKET, say, useTestApp } from "../support/test-app.js";
import { ConsoleBrowser, signInLink, useConsole } from "./console-http.js";

/*
 * Who gets into the console, and what they get to: the sign-in paths, sessions, form tokens, and
 * another center's tickets, through the bot's real HTTP server.
 */

const scene = useTestApp();
const consoleServer = useConsole(scene);
const afterChanges = () => consoleServer.afterChanges();

const browser = () => new ConsoleBrowser(consoleServer.url);
const records = (memberId: string) => new ConsoleStore(scene.app.storage).records(memberId);

async function signedIn(memberId: string): Promise<ConsoleBrowser> {
  const b = browser();
  const response = await b.signInWith(await signInLink(scene.app, memberId));
  expect(response.status).toBe(303);
  return b;
}

describe("signing in with a link", () => {
  it("opens a session once; the link is used up", async () => {
    const link = await signInLink(scene.app, "zhou.min");
    const first = browser();
    expect((await first.get(link)).status).toBe(200); // a chat's link preview fetches this much, and uses nothing up
    const signIn = await first.post(link);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("location")).toBe("/console/password");
    expect(signIn.headers.getSetCookie().find((c) => c.startsWith("hotline_session="))).toMatch(/HttpOnly; SameSite=Lax/);
    expect((await first.get("/console")).status).toBe(200);
    expect(first.lastPage).toContain("周敏");

    const second = browser();
    await second.get(link);
    const again = await second.post(link);
    expect(again.status).toBe(401);
    expect(second.lastPage).toContain("此链接已使用过");
    expect((await second.get("/console")).status).toBe(303);
    expect((await records("zhou.min")).map((r) => [r.event, r.method])).toEqual([["sign-in", "link"]]);
  });

  it("refuses an expired link and one it never issued", async () => {
    const link = await signInLink(scene.app, "zhou.min", 5);
    scene.later(6);
    const b = browser();
    await b.get(link);
    expect((await b.post(link)).status).toBe(401);
    expect(b.lastPage).toContain("此链接已过期");
    await b.get("/console/link/not-a-code");
    expect((await b.post("/console/link/not-a-code")).status).toBe(401);
    expect(b.lastPage).toContain("此链接无效");
  });

  it("is not issued to someone outside the directory", async () => {
    await expect(signInLink(scene.app, "nobody")).rejects.toThrow(/not a member with a role/);
  });
});

describe("a link asked for in chat", () => {
  it("comes in a private chat as /console, signs in once, and lasts a quarter of an hour", async () => {
    const answer = await say(scene.app, "liu.fang", "/console");
    const link = /http:\/\/\S+\/console\/link\/\S+/.exec(answer.text)?.[0];
    expect(link, answer.text).toBeDefined();
    expect(answer.text).toContain("15 分钟内有效，至 2026-11-26 10:15");
    const b = browser();
    expect((await b.signInWith(new URL(link!).pathname)).status).toBe(303);
    expect((await browser().signInWith(new URL(link!).pathname)).status).toBe(401);
    expect((await records("liu.fang")).map((record) => record.event)).toEqual(["sign-in"]);
  });

  it("is not sent where others read the chat", async () => {
    const before = await scene.app.db.consoleLink.count();
    const answer = await say(scene.app, "liu.fang", "/console", { seenByOthers: true });
    expect(answer.text).toContain("登录链接只在私聊中发送");
    expect(answer.text).not.toContain("/console/link/");
    expect(await scene.app.db.consoleLink.count()).toBe(before);
  });
});

describe("passwords", () => {
  const setPassword = async (b: ConsoleBrowser, password: string) => {
    await b.get("/console/password");
    return b.post("/console/password", { password });
  };
  const tryPassword = async (member: string, password: string) => {
    const b = browser();
    await b.get("/console/sign-in");
    return { b, response: await b.post("/console/sign-in", { member, password }) };
  };

  it("signs in with the password the member set, and refuses a short one", async () => {
    const b = await signedIn("zhou.min");
    expect((await setPassword(b, "short")).status).toBe(400);
    expect(b.lastPage).toContain("密码至少 10 个字符");
    expect((await setPassword(b, "正确的马，电池，订书钉")).status).toBe(200);
    const { b: next, response } = await tryPassword("zhou.min", "正确的马，电池，订书钉");
    expect(response.status).toBe(303);
    expect((await next.get("/console")).status).toBe(200);
    const stored = await scene.app.db.consoleAccount.findUniqueOrThrow({ where: { memberId: "zhou.min" } });
    expect(stored.passwordHash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(stored.passwordHash).not.toContain("订书钉");
  });

  it("slows the account after five wrong passwords, even for the right one, then lets it in", async () => {
    await setPassword(await signedIn("zhou.min"), "correct horse battery");
    for (let i = 1; i < FREE_WRONG_PASSWORDS; i++) expect((await tryPassword("zhou.min", `wrong ${i}`)).response.status).toBe(401);
    const fifth = await tryPassword("zhou.min", "wrong 5");
    expect(fifth.b.lastPage).toContain("成员 ID 或密码不对");
    const slowed = await tryPassword("zhou.min", "correct horse battery");
    expect(slowed.response.status).toBe(401);
    expect(slowed.b.lastPage).toContain("错误次数过多");
    scene.later(waitAfter(FREE_WRONG_PASSWORDS) / 60_000);
    expect((await tryPassword("zhou.min", "correct horse battery")).response.status).toBe(303);
    const events = (await records("zhou.min")).map((r) => r.event);
    expect(events.filter((e) => e === "refused")).toHaveLength(6);
    expect(events[0]).toBe("sign-in");
    expect(events).toContain("password-set");
  });

  it("answers a member without a password as a wrong password, and counts nothing for them", async () => {
    const { b, response } = await tryPassword("wang.fang", "anything at all");
    expect(response.status).toBe(401);
    expect(b.lastPage).toContain("成员 ID 或密码不对");
    expect(await scene.app.db.consoleAccount.count()).toBe(0);
  });
});

describe("what needs a session", () => {
  it("no page and no action without one", async () => {
    await scene.report("wang.fang", LEVEL2_FAULT);
    const b = browser();
    for (const path of ["/console", `/console/tickets/${FIRST_TICKET}`, "/console/password"]) {
      const response = await b.get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get("location")).toBe("/console/sign-in");
    }
    const action = await b.request(`/console/tickets/${FIRST_TICKET}`, { method: "POST", body: new URLSearchParams({ command: "note", text: "hi" }) });
    expect(action.status).toBe(401);
    expect((await scene.ticket()).records).toBeDefined();
    expect((await scene.app.core.tickets.timeline((await scene.ticket()).id)).some((e) => e.type === "note_added")).toBe(false);
  });

  it("refuses a form without its token (403), and a form sent as JSON", async () => {
    await scene.report("wang.fang", LEVEL2_FAULT);
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    const token = b.formToken();
    expect((await b.post(`/console/tickets/${FIRST_TICKET}`, { command: "note", text: "no token" }, { csrf: false })).status).toBe(403);
    expect((await b.post(`/console/tickets/${FIRST_TICKET}`, { command: "note", text: "wrong token", _csrf: "x".repeat(43) })).status).toBe(403);
    const json = await b.request(`/console/tickets/${FIRST_TICKET}`, {
      method: "POST",
      body: JSON.stringify({ _csrf: token, command: "note", text: "json" }),
      headers: { "content-type": "application/json" },
    });
    expect(json.status).toBe(403);
    const anonymous = browser();
    await anonymous.get("/console/sign-in");
    expect((await anonymous.post("/console/sign-in", { member: "zhou.min", password: "x" }, { csrf: false })).status).toBe(403);
    const notes = (await scene.app.core.tickets.timeline((await scene.ticket()).id)).filter((e) => e.type === "note_added");
    expect(notes).toEqual([]);
  });

  it("refuses the session cookie from before sign-out", async () => {
    const b = await signedIn("zhou.min");
    await b.get("/console");
    const cookie = b.cookies.get("hotline_session")!;
    expect((await b.post("/console/sign-out")).status).toBe(303);
    expect(b.cookies.has("hotline_session")).toBe(false);
    b.cookies.set("hotline_session", cookie);
    const response = await b.get("/console");
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toBe("/console/sign-in");
    expect((await records("zhou.min")).map((r) => r.event)).toEqual(["sign-out", "sign-in"]);
  });
});

describe("what a member sees", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));

  it("another center's staff get 404 for a ticket's page and an empty board", async () => {
    const b = await signedIn("guo.tao"); // sc-beijing; the ticket is sc-shenyang's
    expect((await b.get(`/console/tickets/${FIRST_TICKET}`)).status).toBe(404);
    expect((await b.get(`/console/tickets/HL-20991231-0001`)).status).toBe(404);
    await b.get("/console?lang=zh-CN");
    expect(b.lastPage).toContain("共 0 张");
    expect(b.lastPage).not.toContain(FIRST_TICKET);
  });

  it("the reporter's colleague finds it on the board by VIN, and the page shows the full phone to the center", async () => {
    const b = await signedIn("ma.jun");
    await b.get("/console?search=lsgpc52u6af102554");
    expect(b.lastPage).toContain(FIRST_TICKET);
    await b.get("/console?search=nothing-like-it");
    expect(b.lastPage).not.toContain(FIRST_TICKET);
    expect((await b.get(`/console/tickets/${FIRST_TICKET}`)).status).toBe(200);
    expect(b.lastPage).toContain("138 1234 5678");
  });

  it("the ticket's page reads the ticket and its timeline once", async () => {
    const b = await signedIn("zhou.min");
    const tickets = scene.app.core.tickets;
    const reads = [vi.spyOn(tickets, "findByNumber"), vi.spyOn(tickets, "timeline")];
    try {
      expect((await b.get(`/console/tickets/${FIRST_TICKET}`)).status).toBe(200);
      expect(reads.map((read) => read.mock.calls.length)).toEqual([1, 1]);
      expect(b.lastPage).toContain("LSGPC52U6AF102554");
      expect(b.lastPage).toContain(`${FIRST_TICKET} · 动态`);
    } finally {
      for (const read of reads) read.mockRestore();
    }
  });

  it("a manager reads the phone masked, as in chat", async () => {
    const b = await signedIn("zhao.ming");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    expect(b.lastPage).toContain(FIRST_TICKET);
    expect(b.lastPage).toContain("138****5678");
    expect(b.lastPage).not.toContain("138 1234 5678");
  });
});

describe("actions are the chats' commands", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));

  it("after-sales confirms from the ticket page: the ticket moves and the same notices go out", async () => {
    const before = await scene.app.db.delivery.count();
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    expect((await b.submit(`/console/tickets/${FIRST_TICKET}`, { command: "confirm" })).status).toBe(200);
    expect((await scene.ticket()).status).toBe("confirmed");
    expect(await scene.app.db.delivery.count()).toBeGreaterThan(before);
    expect(afterChanges()).toBe(1);
  });

  it("a command that lacks its arguments asks for them, and the answers complete it", async () => {
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    await b.submit(`/console/tickets/${FIRST_TICKET}`, { command: "grade" });
    expect(b.lastPage).toContain('name="choice" value="1">1 级</button>');
    await b.submit(`/console/tickets/${FIRST_TICKET}`, { choice: "1" });
    expect(b.lastPage).toContain('<textarea id="answer" name="answer"');
    await b.submit(`/console/tickets/${FIRST_TICKET}`, { answer: "驾驶员受伤" });
    const ticket = await scene.ticket();
    expect(ticket.level).toBe(1);
    expect(ticket.gradings.at(-1)?.reason).toBe("驾驶员受伤");
  });

  it("markup typed into a note is shown as text", async () => {
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    await b.submit(`/console/tickets/${FIRST_TICKET}`, { command: "note", text: `<script>alert("x")</script><b>bold</b>` });
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    expect(b.lastPage).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;");
    expect(b.lastPage).not.toContain("<script>");
  });

  it("refuses an action the member may not take, with the chat's sentence", async () => {
    const b = await signedIn("ma.jun");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    await b.submit(`/console/tickets/${FIRST_TICKET}`, { command: "close" });
    expect((await scene.ticket()).status).toBe("open");
    expect(b.lastPage).toMatch(/class="card error"/);
  });
});

describe("taking a call", () => {
  it("runs the chats' report dialog on the page: an agent files a major fault and reads its number", async () => {
    const b = await signedIn("liu.fang");
    await b.get("/console/report");
    await b.submit("/console/report", { start: "1" });
    for (const answer of [...LEVEL2_FAULT.slice(1), "1"]) {
      expect(b.lastPage, `before "${answer}"`).toContain('name="answer"');
      expect((await b.submit("/console/report", { answer })).status).toBe(200);
    }
    expect(b.lastPage).toContain(FIRST_TICKET);
    const ticket = await scene.ticket();
    expect(ticket).toMatchObject({ reporterId: "liu.fang", category: "major", level: 2, vin: "LSGPC52U6AF102554" });
    const asked = await scene.app.db.ping.findMany({ where: { ticketId: ticket.id } });
    expect(asked.map((p) => p.departmentId)).toContain("after_sales");
    await b.get("/console/report");
    expect(b.lastPage).toContain('name="start"');
  });

  it("shows the severity beside the questions as the answers change it", async () => {
    const b = await signedIn("liu.fang");
    await b.get("/console/report");
    await b.submit("/console/report", { start: "1" });
    const aside = () => /<aside class="so-far"[^]*?<\/aside>/.exec(b.lastPage)?.[0] ?? "";
    expect(aside()).toContain("目前定级");
    const answers = [...LEVEL2_FAULT.slice(1), "1"];
    const raisedAfter: string[] = [];
    for (const [i, answer] of answers.entries()) {
      const before = aside();
      await b.submit("/console/report", { answer });
      if (!before.includes("2 级") && aside().includes("2 级")) raisedAfter.push(`${i}:${answer}`);
    }
    // The answer that makes it major (a safety question answered yes) raised it, with its reason shown.
    expect(raisedAfter).toEqual([`${LEVEL2_FAULT.indexOf("是") - 1}:是`]);
    expect(b.lastPage).toContain(FIRST_TICKET);
    expect(aside()).toBe(""); // filed: no report open, nothing beside
  });

  it("shows the caller's earlier tickets for the VIN, and only counts those the agent may not see", async () => {
    await scene.report("wang.fang", LEVEL2_FAULT);
    const callFrom = async (memberId: string) => {
      const b = await signedIn(memberId);
      await b.get("/console/report");
      await b.submit("/console/report", { start: "1" });
      for (const answer of LEVEL2_FAULT.slice(1, 5)) await b.submit("/console/report", { answer }); // up to the VIN
      return /<aside class="so-far"[^]*?<\/aside>/.exec(b.lastPage)?.[0] ?? "";
    };
    const afterSales = await callFrom("zhou.min");
    expect(afterSales).toContain("来电历史");
    expect(afterSales).toContain(`${FIRST_TICKET} · 2026-11-26`);
    expect(afterSales).toContain("行驶中制动失灵");
    const elsewhere = await callFrom("guo.tao"); // Beijing's staff: the ticket is Shenyang's
    expect(elsewhere).not.toContain(FIRST_TICKET);
    expect(elsewhere).toContain("1 more at centers whose tickets you do not see."); // guo.tao reads English
  });

  it("checks answers as the chat does: a VIN with a wrong check digit is asked again", async () => {
    const b = await signedIn("liu.fang");
    await b.get("/console/report");
    await b.submit("/console/report", { start: "1" });
    for (const answer of LEVEL2_FAULT.slice(1, 4)) await b.submit("/console/report", { answer });
    await b.submit("/console/report", { answer: "LSGPC52U7AF102554" });
    expect(b.lastPage).toMatch(/class="card error"|校验位/);
    expect(b.lastPage).toContain('name="answer"');
  });
});

describe("a form sent twice", () => {
  /** An agent's call taken up to its summary, the last answer ("1", submit) not yet sent. */
  const callAtItsSummary = async () => {
    const b = await signedIn("liu.fang");
    await b.get("/console/report");
    await b.submit("/console/report", { start: "1" });
    for (const answer of LEVEL2_FAULT.slice(1)) await b.submit("/console/report", { answer });
    return b;
  };
  const tickets = () => scene.app.db.ticket.count();

  it("files the call once when its last answer is sent twice at the same instant, and both land on the ticket's page", async () => {
    const b = await callAtItsSummary();
    const key = b.submissionKey();
    const [first, second] = await Promise.all([b.post("/console/report", { answer: "1" }), b.post("/console/report", { answer: "1" })]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get("location")).toBe(`/console/tickets/${FIRST_TICKET}?result=${key}`);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(await tickets()).toBe(1);
    expect(await scene.app.db.ping.count({ where: { ticket: { number: FIRST_TICKET } } })).toBeGreaterThan(0);
    await b.get(first.headers.get("location")!);
    expect(b.lastPage).toContain(`已登记工单 ${FIRST_TICKET}`);
  });

  it("files nothing on a reload of the page it redirected to, nor on the same form sent again later", async () => {
    const b = await callAtItsSummary();
    const filed = await b.post("/console/report", { answer: "1" });
    const changes = afterChanges();
    const resend = b.lastPage; // the summary page, as a browser's back button shows it
    for (let reload = 0; reload < 2; reload++) {
      expect((await b.get(filed.headers.get("location")!)).status).toBe(200);
      expect(b.lastPage).toContain(`已登记工单 ${FIRST_TICKET}`);
    }
    b.lastPage = resend;
    const again = await b.post("/console/report", { answer: "1" });
    expect(again.headers.get("location")).toBe(filed.headers.get("location"));
    expect(await tickets()).toBe(1);
    expect(afterChanges()).toBe(changes);
    // A new call starts afresh: its forms carry keys of their own.
    await b.get("/console/report");
    expect(b.lastPage).toContain('name="start"');
  });

  it("refuses a form without its one-time key, or with a key another member sent, and does nothing", async () => {
    const other = await signedIn("zhou.min");
    await other.get("/console/report");
    const theirs = other.submissionKey()!;
    await other.post("/console/report", { start: "1" }); // sent with their key
    const b = await callAtItsSummary();
    const summary = b.lastPage;
    expect((await b.post("/console/report", { answer: "1", _once: "" })).status).toBe(400);
    b.lastPage = summary;
    expect((await b.post("/console/report", { answer: "1", _once: theirs })).status).toBe(400);
    expect(await tickets()).toBe(0);
    b.lastPage = summary;
    expect((await b.post("/console/report", { answer: "1" })).status).toBe(303);
    expect(await tickets()).toBe(1);
  });

  describe("on a ticket's page", () => {
    beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));
    const notes = () => scene.app.db.ticketEvent.count({ where: { type: "note" } });

    it("writes a note sent twice once", async () => {
      const b = await signedIn("zhou.min");
      await b.get(`/console/tickets/${FIRST_TICKET}`);
      const before = await notes();
      const sent = await Promise.all([1, 2].map(() => b.post(`/console/tickets/${FIRST_TICKET}`, { command: "note", text: "顾客来电催促" })));
      expect(sent.map((r) => r.status)).toEqual([303, 303]);
      expect(await notes()).toBe(before + 1);
    });

    it("confirms once when confirm is pressed twice: the second press sends no notice", async () => {
      const b = await signedIn("zhou.min");
      await b.get(`/console/tickets/${FIRST_TICKET}`);
      const first = await b.post(`/console/tickets/${FIRST_TICKET}`, { command: "confirm" });
      const deliveries = await scene.app.db.delivery.count();
      const second = await b.post(`/console/tickets/${FIRST_TICKET}`, { command: "confirm" });
      expect(second.headers.get("location")).toBe(first.headers.get("location"));
      expect(await scene.app.db.delivery.count()).toBe(deliveries);
      expect(afterChanges()).toBe(1);
      // Pressed again from a page shown after it, the core itself refuses a second confirmation.
      await b.get(`/console/tickets/${FIRST_TICKET}`);
      await b.submit(`/console/tickets/${FIRST_TICKET}`, { command: "confirm" });
      expect(await scene.app.db.delivery.count()).toBe(deliveries);
      expect((await scene.app.db.ticketEvent.findMany({ where: { type: "confirmed" } })).length).toBe(1);
    });

    it("acknowledges once when the QA lead's acknowledgement is pressed twice, from the same page or a later one", async () => {
      await say(scene.app, "zhou.min", `/confirm ${FIRST_TICKET}`);
      const b = await signedIn("chen.jie");
      await b.get(`/console/tickets/${FIRST_TICKET}`);
      await Promise.all([1, 2].map(() => b.post(`/console/tickets/${FIRST_TICKET}`, { command: "ack" })));
      const deliveries = await scene.app.db.delivery.count();
      await b.get(`/console/tickets/${FIRST_TICKET}`);
      await b.submit(`/console/tickets/${FIRST_TICKET}`, { command: "ack" });
      expect(await scene.app.db.delivery.count()).toBe(deliveries);
      expect(await scene.app.db.ticketEvent.count({ where: { type: "acknowledged", actorId: "chen.jie" } })).toBe(1);
    });
  });
});

describe("searching the board", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));
  const found = async (b: ConsoleBrowser, term: string) => {
    await b.get(`/console?search=${encodeURIComponent(term)}`);
    return b.lastPage.includes(`>${FIRST_TICKET}</a>`);
  };

  it("finds a ticket by its number, part of its VIN, the phone as typed or as shown, the customer and the description", async () => {
    const b = await signedIn("zhou.min");
    for (const term of ["HL-20261126-0001", "hl-20261126", "LSGPC52U6AF102554", "af102554", "13812345678", "138 1234 5678", "张先生", "制动失灵"]) {
      expect(await found(b, term), term).toBe(true);
    }
    for (const term of ["HL-20261127", "AF999999", "13900000000", "李先生", "发动机"]) expect(await found(b, term), term).toBe(false);
  });
});

describe("deliveries", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));

  /** One of the report's notices, failed for good with a platform's error. */
  async function failOne(error: string): Promise<number> {
    const row = await scene.app.db.delivery.findFirstOrThrow({ where: { status: "pending", ticketId: { not: null } } });
    await scene.app.outbox.claim(row.id);
    await scene.app.outbox.markAttemptFailed(row.id, { error, final: true });
    return row.id;
  }

  it("after-sales sees a failed message with its error and ticket, and sends it again once", async () => {
    const id = await failOne("sendMessage: 403 Forbidden: bot was blocked by the user <b>x</b>");
    const b = await signedIn("zhou.min");
    await b.get("/console");
    expect(b.lastPage).toContain('href="/console/deliveries"');
    expect((await b.get("/console/deliveries")).status).toBe(200);
    expect(b.lastPage).toContain("bot was blocked by the user &lt;b&gt;x&lt;/b&gt;");
    expect(b.lastPage).toContain(`href="/console/tickets/${FIRST_TICKET}"`);
    expect(b.lastPage).toContain(`action="/console/deliveries/${id}/retry"`);

    const changesBefore = afterChanges();
    expect((await b.post(`/console/deliveries/${id}/retry`)).status).toBe(200);
    expect(await scene.app.db.delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "pending", attempts: 0 });
    expect(afterChanges()).toBe(changesBefore + 1);
    expect(b.lastPage).not.toContain(`action="/console/deliveries/${id}/retry"`);
    // Pressed twice (a second tab): the message is on its way already, nothing changes.
    expect((await b.post(`/console/deliveries/${id}/retry`)).status).toBe(409);
    expect(afterChanges()).toBe(changesBefore + 1);
  });

  it("lists the recent ones on request, and says when none failed", async () => {
    const b = await signedIn("zhou.min");
    await b.get("/console/deliveries");
    expect(b.lastPage).toContain("没有发送失败的消息。");
    await b.get("/console/deliveries?all=1");
    expect(b.lastPage).toContain('class="delivery-pending"');
  });

  it("is closed to staff and department leads: 404 for the page and the retry, and no link", async () => {
    const id = await failOne("sendMessage: 400 Bad Request: chat not found");
    for (const memberId of ["wang.fang", "chen.jie"]) {
      const b = await signedIn(memberId);
      await b.get("/console");
      expect(b.lastPage).not.toContain('href="/console/deliveries"');
      const token = b.formToken();
      expect((await b.get("/console/deliveries")).status).toBe(404);
      expect((await b.post(`/console/deliveries/${id}/retry`, { _csrf: token })).status).toBe(404);
    }
    expect((await scene.app.db.delivery.findUniqueOrThrow({ where: { id } })).status).toBe("failed");
  });
});

describe("the board's filters", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));
  const listed = (b: ConsoleBrowser) => b.lastPage.includes(`>${FIRST_TICKET}</a>`);

  it("count each choice with the other filters applied, not their own", async () => {
    const b = await signedIn("zhou.min");
    const counts = async (query: string) => (await b.get(`/console/counts${query}`)).json();
    expect(await counts("")).toEqual({
      kind: { fault: 1 },
      level: { "2": 1 },
      status: { open: 1, [(await scene.ticket()).status]: 1 },
      serviceCenterId: { "sc-shenyang": 1 },
      overdue: 0,
    });
    await b.get("/console?kind=complaint");
    expect(listed(b)).toBe(false);
    expect(await counts("?kind=complaint")).toEqual({ kind: { fault: 1 }, level: {}, status: { open: 0 }, serviceCenterId: {}, overdue: 0 });
    // Each choice carries what the page's script writes its count beside.
    expect(b.lastPage).toContain('data-count="kind.fault" data-label="质量故障"');
    expect(b.lastPage).toContain('data-count="overdue" data-label="已超时"');
  });

  it("counts nothing the member may not see", async () => {
    const b = await signedIn("guo.tao"); // a Beijing center's staff
    expect(await (await b.get("/console/counts")).json()).toEqual({ kind: {}, level: {}, status: { open: 0 }, serviceCenterId: {}, overdue: 0 });
    expect((await browser().get("/console/counts")).status).toBe(303);
  });

  it("show what is overdue once a deadline's time has passed", async () => {
    const b = await signedIn("zhou.min");
    await b.get("/console?overdue=1");
    expect(listed(b)).toBe(false);
    scene.later(3 * 60); // past the two hours a level-2 ping has to be acknowledged in
    await b.get("/console?overdue=1");
    expect(listed(b)).toBe(true);
    expect(((await (await b.get("/console/counts")).json()) as { overdue: number }).overdue).toBe(1);
  });

  it("find the tickets pinged to a department", async () => {
    const pinged = new Set((await scene.ticket()).pings.flatMap((ping) => (ping.departmentId ? [ping.departmentId] : [])));
    const b = await signedIn("zhou.min");
    for (const department of scene.app.core.org.departments) {
      await b.get(`/console?departmentId=${department.id}`);
      expect(listed(b), department.id).toBe(pinged.has(department.id));
    }
    expect(pinged.size).toBeGreaterThan(0);
    expect(pinged.size).toBeLessThan(scene.app.core.org.departments.length);
  });
});

describe("reports", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));

  it("a manager reads the week's two reports with their charts", async () => {
    const b = await signedIn("zhao.ming");
    await b.get("/console");
    expect(b.lastPage).toContain('href="/console/reports"');
    expect((await b.get("/console/reports?period=week")).status).toBe(200);
    expect(b.lastPage).toContain("重大质量问题日报告 2026-11-20 ~ 2026-11-26");
    expect(b.lastPage).toContain("售后服务电话接听日报表 2026-11-20 ~ 2026-11-26");
    expect(b.lastPage).toContain('aria-label="新增重大质量信息（按级别）: 1 级 0, 2 级 1, 3 级 0, 待定级 0"');
    expect(b.lastPage).toContain('aria-label="服务中心: 沈阳特约服务中心 1"');
    expect(b.lastPage).toContain('<option value="week" selected>');
  });

  it("reads one day, and says so when the date is not one", async () => {
    const b = await signedIn("zhou.min");
    await b.get("/console/reports?date=2026-11-25");
    expect(b.lastPage).toContain("售后服务电话接听日报表 2026-11-25");
    expect(b.lastPage).toContain('aria-label="处理情况: 已处理 0, 待处理 0"');
    expect((await b.get("/console/reports?date=2026-02-30")).status).toBe(400);
    expect(b.lastPage).toContain("无法识别此日期");
    expect((await b.get(`/console/reports?date=${encodeURIComponent("<b>x</b>")}`)).status).toBe(400);
    expect(b.lastPage).not.toContain("<b>x</b>");
  });

  it("is closed to staff and department leads, as /report is", async () => {
    for (const memberId of ["wang.fang", "chen.jie"]) {
      const b = await signedIn(memberId);
      await b.get("/console");
      expect(b.lastPage).not.toContain('href="/console/reports"');
      expect((await b.get("/console/reports")).status).toBe(404);
    }
  });
});

describe("the ticket's form", () => {
  beforeEach(() => scene.report("wang.fang", LEVEL2_FAULT));
  it("downloads as the reader may read it, each download kept as the next version", async () => {
    const b = await signedIn("zhou.min");
    await b.get(`/console/tickets/${FIRST_TICKET}`);
    expect(b.lastPage).toContain("<h2>重大售后质量信息报告单</h2>");
    const pdf = await b.get(`/console/tickets/${FIRST_TICKET}/record/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toContain(`filename="${FIRST_TICKET}-v1.pdf"`);
    const text = pdfText(new Uint8Array(await pdf.arrayBuffer()));
    expect(text).toContain(FIRST_TICKET);
    expect(text).toContain("138 1234 5678"); // after-sales calls the customer: the whole number
    const xlsx = await b.get(`/console/tickets/${FIRST_TICKET}/record/xlsx`);
    expect(Buffer.from(await xlsx.arrayBuffer()).subarray(0, 2).toString()).toBe("PK");

    const manager = await signedIn("zhao.ming");
    const masked = pdfText(new Uint8Array(await (await manager.get(`/console/tickets/${FIRST_TICKET}/record/pdf`)).arrayBuffer()));
    expect(masked).not.toContain("138 1234 5678");
    expect(masked).toContain("138****5678");
    const kept = await scene.app.documents.list();
    expect(kept.map((d) => [d.format, d.version, d.madeFor])).toEqual([["pdf", 2, "zhao.ming"], ["xlsx", 1, "zhou.min"], ["pdf", 1, "zhou.min"]]);
  });

  it("is not there for another center's staff, nor an unknown format", async () => {
    const other = await signedIn("guo.tao");
    expect((await other.get(`/console/tickets/${FIRST_TICKET}/record/pdf`)).status).toBe(404);
    const b = await signedIn("zhou.min");
    expect((await b.get(`/console/tickets/${FIRST_TICKET}/record/docx`)).status).toBe(404);
    expect(await scene.app.documents.list()).toEqual([]);
  });
});
