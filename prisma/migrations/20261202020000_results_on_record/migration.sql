-- Results on record: a resolution keeps its result and resolver; the customer's e-mail, whether
-- they may be contacted and the vehicle's sale date come with the report; what QA, the complaint
-- team, finance and logistics did is kept as work records; a receipt delivery says it is one.
ALTER TABLE "Ticket" ADD COLUMN "customerEmail" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "doNotContact" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Ticket" ADD COLUMN "saleDate" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "result" TEXT;
ALTER TABLE "Ticket" ADD COLUMN "resolvedBy" TEXT;
ALTER TABLE "Attachment" ADD COLUMN "recordId" INTEGER;
ALTER TABLE "Delivery" ADD COLUMN "purpose" TEXT;
ALTER TABLE "Delivery" ADD COLUMN "template" TEXT;

CREATE TABLE "WorkRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ticketId" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "amountFen" INTEGER,
    "override" TEXT,
    "by" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    CONSTRAINT "WorkRecord_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "Ticket" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "WorkRecord_ticketId_idx" ON "WorkRecord"("ticketId");
