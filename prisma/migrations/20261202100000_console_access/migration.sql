-- CreateTable
CREATE TABLE "ConsoleAccount" (
    "memberId" TEXT NOT NULL PRIMARY KEY,
    "passwordHash" TEXT,
    "failedSignIns" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME
);

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "memberId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "endedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ConsoleLink" (
    "codeHash" TEXT NOT NULL PRIMARY KEY,
    "memberId" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ConsoleAccessRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "memberId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "method" TEXT,
    "address" TEXT,
    "at" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "ConsoleSession_memberId_idx" ON "ConsoleSession"("memberId");

-- CreateIndex
CREATE INDEX "ConsoleAccessRecord_memberId_at_idx" ON "ConsoleAccessRecord"("memberId", "at");

