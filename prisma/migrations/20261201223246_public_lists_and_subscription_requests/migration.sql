-- AlterTable
ALTER TABLE "lists" ADD COLUMN     "public" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "subscription_requests" (
    "id" SERIAL NOT NULL,
    "email" TEXT,
    "contact_id" INTEGER,
    "lists" TEXT[],
    "name" TEXT,
    "status" TEXT NOT NULL DEFAULT 'received',
    "mailbox_hash" TEXT,
    "evidence" JSONB NOT NULL DEFAULT '{}',
    "requested_at" TIMESTAMP(3) NOT NULL,
    "mailed_at" TIMESTAMP(3),
    "confirmed_at" TIMESTAMP(3),

    CONSTRAINT "subscription_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "subscription_requests_contact_id_status_idx" ON "subscription_requests"("contact_id", "status");

-- CreateIndex
CREATE INDEX "subscription_requests_mailbox_hash_mailed_at_idx" ON "subscription_requests"("mailbox_hash", "mailed_at");

-- AddForeignKey
ALTER TABLE "subscription_requests" ADD CONSTRAINT "subscription_requests_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

