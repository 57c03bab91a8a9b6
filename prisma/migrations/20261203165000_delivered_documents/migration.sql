-- AlterTable
ALTER TABLE "Delivery" ADD COLUMN "documentId" INTEGER;

