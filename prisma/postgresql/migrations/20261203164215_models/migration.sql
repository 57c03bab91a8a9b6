-- CreateExtension
CREATE EXTENSION IF NOT EXISTS "pg_trgm";

-- CreateIndex
CREATE INDEX "Ticket_number_trgm_idx" ON "Ticket" USING GIN ("number" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Ticket_vin_trgm_idx" ON "Ticket" USING GIN ("vin" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Ticket_customerPhone_trgm_idx" ON "Ticket" USING GIN ("customerPhone" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Ticket_customerName_trgm_idx" ON "Ticket" USING GIN ("customerName" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Ticket_description_trgm_idx" ON "Ticket" USING GIN ("description" gin_trgm_ops);

