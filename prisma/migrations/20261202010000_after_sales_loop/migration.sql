-- The after-sales loop: a major ticket waits for after-sales to confirm (or grade) it before the
-- escalation goes out; hotline calls start with the customer-service center; pings a new level no
-- longer needs are cancelled, not deleted.
ALTER TABLE "Ping" ADD COLUMN "cancelledAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "releasedAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "firstLine" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Ticket" ADD COLUMN "transferredAt" DATETIME;
ALTER TABLE "Ticket" ADD COLUMN "gradings" TEXT NOT NULL DEFAULT '[]';

-- Every ticket filed before went out to its whole plan at once.
UPDATE "Ticket" SET "releasedAt" = "createdAt";
