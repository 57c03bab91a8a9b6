-- CreateTable
CREATE TABLE "TeamSeat" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "departmentId" TEXT NOT NULL,
    "leader" BOOLEAN NOT NULL DEFAULT false,
    "memberId" TEXT,
    "appointedBy" TEXT,
    "appointedAt" DATETIME,
    "confirmedAt" DATETIME,
    CONSTRAINT "TeamSeat_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PostedMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "platform" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "view" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "TeamSpace" (
    "ticketId" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "platform" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "threadId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
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
    "sentAt" DATETIME
);
INSERT INTO "new_Delivery" ("attempts", "createdAt", "id", "lastError", "payload", "platform", "recipient", "sentAt", "status", "ticketId") SELECT "attempts", "createdAt", "id", "lastError", "payload", "platform", "recipient", "sentAt", "status", "ticketId" FROM "Delivery";
DROP TABLE "Delivery";
ALTER TABLE "new_Delivery" RENAME TO "Delivery";
CREATE INDEX "Delivery_status_createdAt_idx" ON "Delivery"("status", "createdAt");
CREATE INDEX "Delivery_ticketId_idx" ON "Delivery"("ticketId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "TeamSeat_ticketId_departmentId_key" ON "TeamSeat"("ticketId", "departmentId");

-- CreateIndex
CREATE INDEX "PostedMessage_ticketId_idx" ON "PostedMessage"("ticketId");

-- CreateIndex
CREATE UNIQUE INDEX "PostedMessage_platform_address_messageId_key" ON "PostedMessage"("platform", "address", "messageId");

