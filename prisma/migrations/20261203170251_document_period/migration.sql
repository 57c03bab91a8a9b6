-- CreateIndex
CREATE INDEX "Document_period_idx" ON "Document"("period");

