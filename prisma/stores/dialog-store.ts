import type { DialogSession, DialogStore } from "../../core/ports.js";
import type { DbClient } from "../database.js";

export class PrismaDialogStore implements DialogStore {
  constructor(private readonly db: DbClient) {}

  async find(memberId: string, conversation: string): Promise<DialogSession | undefined> {
    const row = await this.db.dialogSession.findUnique({ where: { memberId_conversation: { memberId, conversation } } });
    if (!row) return undefined;
    return { memberId, conversation, dialog: "report", step: row.step, state: JSON.parse(row.state) as unknown };
  }

  async save(session: DialogSession): Promise<void> {
    const data = { dialog: session.dialog, step: session.step, state: JSON.stringify(session.state) };
    await this.db.dialogSession.upsert({
      where: { memberId_conversation: { memberId: session.memberId, conversation: session.conversation } },
      create: { memberId: session.memberId, conversation: session.conversation, ...data },
      update: data,
    });
  }

  async remove(memberId: string, conversation: string): Promise<void> {
    await this.db.dialogSession.deleteMany({ where: { memberId, conversation } });
  }
}
