import { beforeEach, describe, expect, it } from "vitest";
import type { DialogSession, DialogStore } from "../../../core/ports.js";
import { dialogStoreOutsideUnits, SqlDialogStore } from "../../../prisma/stores/dialog-store.js";
import { MemoryDialogStore } from "../../support/memory-dialog-store.js";
import { DIALECTS, pause, useStorage } from "./contract-support.js";
import type { CountedSteps } from "./race-operations.js";

const CHAT = "telegram:200000001";
const report = (overrides: Partial<DialogSession> = {}): DialogSession => ({
  memberId: "wang.fang",
  conversation: CHAT,
  dialog: "report",
  step: "vin",
  state: { draft: { kind: "fault", brand: "haise", description: "发动机异响", attachments: [{ fileId: "p1", kind: "photo" }] }, triage: { breakdown: true, claimAmountCny: 12_000 }, asked: null },
  ...overrides,
});

/** The port's promises, which the database's store and the in-memory one both keep. */
describe.each([...DIALECTS, "in-memory"] as const)("the dialog store (%s)", (kind) => {
  let open: () => DialogStore;
  if (kind === "in-memory") {
    let store: MemoryDialogStore;
    beforeEach(() => void (store = new MemoryDialogStore()));
    open = () => store;
  } else {
    const scene = useStorage(kind, { organisation: false });
    open = () => dialogStoreOutsideUnits(scene.storage);
  }

  it("has no dialog for a member who started none", async () => {
    expect(await open().find("wang.fang", CHAT)).toBeUndefined();
  });

  it("keeps a dialog's step and state as saved", async () => {
    await open().save(report());
    expect(await open().find("wang.fang", CHAT)).toEqual(report());
  });

  it("keeps one dialog per member per conversation: a save replaces it", async () => {
    await open().save(report());
    const command = report({ dialog: "command", step: "text", state: { command: "note", ticket: "HL-20261126-0001", interrupted: report().state } });
    await open().save(command);
    expect(await open().find("wang.fang", CHAT)).toEqual(command);
  });

  it("keeps each member's dialog in each conversation apart", async () => {
    const group = "slack:C0000ESCAL";
    await open().save(report());
    await open().save(report({ conversation: group, step: "brand" }));
    await open().save(report({ memberId: "ma.jun", step: "mileage" }));
    await open().remove("wang.fang", CHAT);
    expect(await open().find("wang.fang", CHAT)).toBeUndefined();
    expect((await open().find("wang.fang", group))?.step).toBe("brand");
    expect((await open().find("ma.jun", CHAT))?.step).toBe("mileage");
  });

  it("removes a dialog, and a dialog there is not", async () => {
    await open().save(report());
    await open().remove("wang.fang", CHAT);
    await open().remove("wang.fang", CHAT);
    expect(await open().find("wang.fang", CHAT)).toBeUndefined();
  });

  it("hands out copies: changing a session changes nothing kept until it is saved", async () => {
    const session = report();
    await open().save(session);
    (session.state as { asked: unknown }).asked = "changed after saving";
    const found = (await open().find("wang.fang", CHAT))!;
    (found.state as { asked: unknown }).asked = "changed after finding";
    expect(await open().find("wang.fang", CHAT)).toEqual(report());
  });
});

/** Dialogs in units of work, as messages step them: what only the database does. */
describe.each(DIALECTS)("dialog steps in units of work on %s", (dialect) => {
  const scene = useStorage(dialect, { organisation: false });
  const steps = async (memberId = "wang.fang", conversation = CHAT) => (await dialogStoreOutsideUnits(scene.storage).find(memberId, conversation))?.state as CountedSteps | undefined;

  it("keeps a unit's step only if the unit commits", async () => {
    const failure = new Error("the message's handling failed");
    await expect(
      scene.storage.transaction(async (tx) => {
        await new SqlDialogStore(tx).save(report());
        expect(await new SqlDialogStore(tx).find("wang.fang", CHAT)).toEqual(report()); // the unit sees its own step
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await steps()).toBeUndefined();
  });

  it("runs two messages of one chat, handled at once by two processes, one after the other: the second sees the first's step", async () => {
    const [first, second] = [await scene.first(), await scene.second()];
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const firstStep = scene.storage.transaction(async (tx) => {
      const dialogs = new SqlDialogStore(tx);
      expect(await dialogs.find("wang.fang", CHAT)).toBeUndefined();
      holding();
      await pause(400); // the first message's work, the dialog held
      await dialogs.save({ memberId: "wang.fang", conversation: CHAT, dialog: "report", step: "step 1", state: { steps: 1, by: [first.id] } satisfies CountedSteps });
    });
    await held;
    const seenBySecond = await second.run("stepDialog", "wang.fang", CHAT, 0);
    await firstStep;
    expect(seenBySecond).toBe(1);
    expect(await steps()).toEqual({ steps: 2, by: [first.id, second.id] });
  });

  it("loses no step when many messages of one chat are handled at once in two processes", async () => {
    const seen = await scene.race(20, (process) => process.run("stepDialog", "wang.fang", CHAT, 5));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const kept = (await steps())!;
    expect(kept.steps).toBe(20);
    expect(new Set(kept.by)).toEqual(new Set([(await scene.first()).id, (await scene.second()).id]));
  });

  it("keeps each chat's steps when different chats' messages are handled at once", async () => {
    const chats = ["telegram:200000001", "telegram:200000002", "slack:C0000ESCAL"];
    await scene.race(12, (process, i) => process.run("stepDialog", "wang.fang", chats[i % 3]!, 5));
    for (const chat of chats) expect((await steps("wang.fang", chat))?.steps).toBe(4);
  });

  if (dialect === "postgresql") {
    it("does not hold one chat's dialog behind another's: the lock is the dialog's", async () => {
      const second = await scene.second();
      const otherChat = "telegram:200000002";
      const stepped = scene.storage.transaction(async (tx) => {
        await new SqlDialogStore(tx).find("wang.fang", CHAT);
        // The other chat's step runs to its end while this one holds its dialog.
        const seen = await Promise.race([second.run("stepDialog", "wang.fang", otherChat, 0), pause(5_000).then(() => "still waiting")]);
        await new SqlDialogStore(tx).save(report());
        return seen;
      });
      expect(await stepped).toBe(0);
      expect((await steps("wang.fang", otherChat))?.steps).toBe(1);
    });
  }
});
