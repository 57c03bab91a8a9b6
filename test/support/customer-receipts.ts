import type { App } from "../../bot/app.js";
import type { CustomerChannel, Notification } from "../../core/escalation/notification.js";
import { OutboxWrites } from "../../prisma/stores/outbox-store.js";

let tickets = 0;

/** A resolved general-quality ticket whose receipt (回执) is still owed: its receipt deadline pending. */
export async function ticketOwingReceipt(app: App, createdAt = new Date("2026-11-26T02:00:00Z")): Promise<{ id: number; number: string; deadlineId: number }> {
  const number = `HL-20261126-${String(++tickets).padStart(4, "0")}`;
  const ticket = await app.db.ticket.create({
    data: {
      number, localDate: "2026-11-26", kind: "fault", source: "service_center", category: "general", level: 4, matchedRules: "[]", answers: "{}",
      status: "resolved", brand: "zhonghua", description: "空调不制冷", customerName: "张先生", customerPhone: "13812345678",
      customerEmail: "zhang.san@example.com", reporterId: "wang.fang", result: "已更换空调压缩机", createdAt, resolvedAt: createdAt,
    },
  });
  const deadline = await app.db.deadline.create({ data: { ticketId: ticket.id, kind: "receipt", dueAt: new Date(createdAt.getTime() + 72 * 3_600_000), chain: '["zhou.min"]' } });
  return { id: ticket.id, number, deadlineId: deadline.id };
}

/** The receipt to the customer by SMS or e-mail, as core writes it. */
export function receiptNotification(channel: CustomerChannel, ticketNumber: string, address: string): Notification {
  return {
    recipient: { kind: "customer", platform: channel, address, name: "张先生" },
    card: { title: `回执 ${ticketNumber}`, lines: ["您反映的问题已处理完毕。", "处理结果：已更换空调压缩机"] },
    ticketNumber,
    template: { id: "receipt", params: { number: ticketNumber, result: "已更换空调压缩机" } },
    purpose: "receipt",
  };
}

/** Writes notifications to the outbox through OutboxWrites, in a unit of work, as the ticket store does. */
export async function writeOutbox(app: App, ticketId: number | null, notifications: Notification[]): Promise<number[]> {
  return app.storage.transaction(async ({ prisma: tx, sql }) => {
    const before = (await tx.delivery.aggregate({ _max: { id: true } }))._max.id ?? 0;
    await new OutboxWrites(sql).add(notifications, ticketId, new Date());
    const rows = await tx.delivery.findMany({ where: { id: { gt: before } }, select: { id: true }, orderBy: { id: "asc" } });
    return rows.map((r) => r.id);
  });
}
