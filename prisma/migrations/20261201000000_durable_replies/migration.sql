-- CreateTable
CREATE TABLE "ProcessInstance" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "role" TEXT NOT NULL,
    "startedAt" DATETIME NOT NULL,
    "heartbeatAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Delivery" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "recipient" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "ticketId" INTEGER,
    "kind" TEXT NOT NULL DEFAULT 'message',
    "view" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" DATETIME,
    "replyTo" TEXT,
    "claimedBy" TEXT,
    "mayHaveArrived" BOOLEAN NOT NULL DEFAULT false
);
INSERT INTO "new_Delivery" ("attempts", "createdAt", "id", "kind", "lastError", "payload", "platform", "recipient", "sentAt", "status", "ticketId", "view") SELECT "attempts", "createdAt", "id", "kind", "lastError", "payload", "platform", "recipient", "sentAt", "status", "ticketId", "view" FROM "Delivery";
DROP TABLE "Delivery";
ALTER TABLE "new_Delivery" RENAME TO "Delivery";
CREATE INDEX "Delivery_status_createdAt_idx" ON "Delivery"("status", "createdAt");
CREATE INDEX "Delivery_ticketId_idx" ON "Delivery"("ticketId");
CREATE INDEX "Delivery_replyTo_idx" ON "Delivery"("replyTo");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

