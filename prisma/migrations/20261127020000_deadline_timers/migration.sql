-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Deadline" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "pingId" INTEGER,
    "kind" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "chain" TEXT NOT NULL,
    "step" INTEGER NOT NULL DEFAULT 0,
    "metAt" DATETIME,
    "remindersSent" INTEGER NOT NULL DEFAULT 0,
    "fireSeq" INTEGER NOT NULL DEFAULT 0,
    "scheduledSeq" INTEGER NOT NULL DEFAULT -1,
    CONSTRAINT "Deadline_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Deadline" ("chain", "dueAt", "id", "kind", "metAt", "pingId", "status", "step", "ticketId") SELECT "chain", "dueAt", "id", "kind", "metAt", "pingId", "status", "step", "ticketId" FROM "Deadline";
DROP TABLE "Deadline";
ALTER TABLE "new_Deadline" RENAME TO "Deadline";
CREATE INDEX "Deadline_status_dueAt_idx" ON "Deadline"("status", "dueAt");
CREATE INDEX "Deadline_status_scheduledSeq_idx" ON "Deadline"("status", "scheduledSeq");
CREATE INDEX "Deadline_ticketId_idx" ON "Deadline"("ticketId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

