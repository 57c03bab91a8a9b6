-- CreateTable
CREATE TABLE "ConsoleSubmission" (
    "key" TEXT NOT NULL,
    "memberId" TEXT NOT NULL,
    "ticketNumber" TEXT,
    "replies" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConsoleSubmission_pkey" PRIMARY KEY ("key")
);

