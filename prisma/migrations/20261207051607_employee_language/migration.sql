-- AlterTable
ALTER TABLE "employees" ADD COLUMN     "language" TEXT;

