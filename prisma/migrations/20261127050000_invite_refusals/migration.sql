-- CreateTable
CREATE TABLE "InviteRefusal" (
    "platform" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "at" DATETIME NOT NULL,

    PRIMARY KEY ("platform", "eventId")
);

-- CreateIndex
CREATE INDEX "InviteRefusal_platform_externalId_at_idx" ON "InviteRefusal"("platform", "externalId", "at");

