-- AlterTable
ALTER TABLE "campaigns" DROP COLUMN "send_lease_owner",
DROP COLUMN "send_lease_until";

-- CreateTable
CREATE TABLE "campaign_shards" (
    "id" SERIAL NOT NULL,
    "campaign_id" INTEGER NOT NULL,
    "after_contact_id" INTEGER NOT NULL,
    "up_to_contact_id" INTEGER,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMP(3),
    "done_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "campaign_shards_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "send_rate_buckets" (
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "refilled_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "send_rate_buckets_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "campaign_shards_campaign_id_after_contact_id_key" ON "campaign_shards"("campaign_id", "after_contact_id");

-- AddForeignKey
ALTER TABLE "campaign_shards" ADD CONSTRAINT "campaign_shards_campaign_id_fkey" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

