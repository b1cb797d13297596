-- AlterTable
ALTER TABLE "inbox_checkpoints" ADD COLUMN     "source" TEXT;

