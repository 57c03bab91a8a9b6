-- CreateTable
CREATE TABLE "ConsoleSubmission" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "memberId" TEXT NOT NULL,
    "ticketNumber" TEXT,
    "replies" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

