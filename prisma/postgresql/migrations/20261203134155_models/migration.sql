-- CreateIndex
CREATE INDEX "Ticket_vin_idx" ON "Ticket"("vin");

-- CreateIndex
CREATE INDEX "Ticket_customerPhone_idx" ON "Ticket"("customerPhone");

