-- inbox (issue 8): dialogue record fields, checkpoints, inbound messages, bounce events,
-- the bounced delivery status and the soft_bounce suppression reason.
-- CreateEnum
CREATE TYPE "DialogueDirection" AS ENUM ('in', 'out');

-- CreateEnum
CREATE TYPE "InboundKind" AS ENUM ('reply', 'auto_reply', 'bounce', 'complaint', 'unsubscribe', 'other', 'unparseable', 'outgoing');

-- AlterEnum
ALTER TYPE "DeliveryStatus" ADD VALUE 'bounced';

-- AlterEnum
ALTER TYPE "SuppressionReason" ADD VALUE 'soft_bounce';

-- DropIndex
DROP INDEX "dialogue_records_message_id_key";

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "bounced_at" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "dialogue_records" ADD COLUMN     "attachments" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "delivery_id" INTEGER,
ADD COLUMN     "direction" "DialogueDirection" NOT NULL DEFAULT 'in',
ADD COLUMN     "from_address" TEXT,
ADD COLUMN     "mailbox" TEXT,
ADD COLUMN     "removed" TEXT,
ADD COLUMN     "source_uid" BIGINT,
ADD COLUMN     "source_uid_validity" BIGINT,
ADD COLUMN     "thread_id" TEXT,
ADD COLUMN     "to_addresses" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "inbox_checkpoints" (
    "mailbox" TEXT NOT NULL,
    "uid_validity" BIGINT,
    "last_uid" BIGINT NOT NULL DEFAULT 0,
    "server_uid" BIGINT NOT NULL DEFAULT 0,
    "watcher" TEXT,
    "heartbeat_at" TIMESTAMP(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMP(3),
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "inbox_checkpoints_pkey" PRIMARY KEY ("mailbox")
);

-- CreateTable
CREATE TABLE "inbound_messages" (
    "id" SERIAL NOT NULL,
    "mailbox" TEXT NOT NULL,
    "dedupe_key" TEXT NOT NULL,
    "message_id" TEXT,
    "uid_validity" BIGINT NOT NULL,
    "uid" BIGINT NOT NULL,
    "kind" "InboundKind" NOT NULL,
    "outcome" TEXT NOT NULL,
    "held" BOOLEAN NOT NULL DEFAULT false,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "contact_id" INTEGER,
    "delivery_id" INTEGER,
    "dialogue_id" INTEGER,
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bounce_events" (
    "id" SERIAL NOT NULL,
    "address_hash" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "status" TEXT,
    "action" TEXT,
    "delivery_id" INTEGER,
    "inbound_message_id" INTEGER NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bounce_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "inbound_messages_mailbox_created_at_idx" ON "inbound_messages"("mailbox", "created_at");

-- CreateIndex
CREATE INDEX "inbound_messages_contact_id_idx" ON "inbound_messages"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "inbound_messages_mailbox_dedupe_key_key" ON "inbound_messages"("mailbox", "dedupe_key");

-- CreateIndex
CREATE INDEX "bounce_events_address_hash_occurred_at_idx" ON "bounce_events"("address_hash", "occurred_at");

-- CreateIndex
CREATE INDEX "dialogue_records_message_id_idx" ON "dialogue_records"("message_id");

-- CreateIndex
CREATE INDEX "dialogue_records_thread_id_idx" ON "dialogue_records"("thread_id");
