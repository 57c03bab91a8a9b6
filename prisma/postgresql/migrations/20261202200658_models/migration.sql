-- CreateTable
CREATE TABLE "ConsoleAccount" (
    "memberId" TEXT NOT NULL,
    "passwordHash" TEXT,
    "failedSignIns" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),

    CONSTRAINT "ConsoleAccount_pkey" PRIMARY KEY ("memberId")
);

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "tokenHash" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),

    CONSTRAINT "ConsoleSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "ConsoleLink" (
    "codeHash" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "ConsoleLink_pkey" PRIMARY KEY ("codeHash")
);

-- CreateTable
CREATE TABLE "ConsoleAccessRecord" (
    "id" SERIAL NOT NULL,
    "memberId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "method" TEXT,
    "address" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleAccessRecord_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ConsoleSession_memberId_idx" ON "ConsoleSession"("memberId");

-- CreateIndex
CREATE INDEX "ConsoleAccessRecord_memberId_at_idx" ON "ConsoleAccessRecord"("memberId", "at");

