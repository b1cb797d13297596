-- AlterTable
ALTER TABLE "campaigns" ADD COLUMN     "language" TEXT;

-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "language" TEXT;

-- AlterTable
ALTER TABLE "subscription_requests" ADD COLUMN     "language" TEXT;

