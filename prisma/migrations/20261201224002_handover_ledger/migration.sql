-- CreateEnum
CREATE TYPE "HandoverStatus" AS ENUM ('running', 'verified', 'emptied', 'completed');

-- CreateTable
CREATE TABLE "handovers" (
    "id" SERIAL NOT NULL,
    "employee_id" INTEGER NOT NULL,
    "successor_id" INTEGER NOT NULL,
    "status" "HandoverStatus" NOT NULL DEFAULT 'running',
    "all" BOOLEAN NOT NULL DEFAULT false,
    "report" JSONB NOT NULL DEFAULT '{}',
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "verified_at" TIMESTAMP(3),
    "emptied_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "handovers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "handover_copies" (
    "id" SERIAL NOT NULL,
    "handover_id" INTEGER NOT NULL,
    "source_folder" TEXT NOT NULL,
    "source_uid_validity" BIGINT NOT NULL,
    "source_uid" BIGINT NOT NULL,
    "message_key" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "target_folder" TEXT NOT NULL,
    "target_uid_validity" BIGINT NOT NULL,
    "target_uid" BIGINT NOT NULL,
    "copied_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "handover_copies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "handovers_employee_id_status_idx" ON "handovers"("employee_id", "status");

-- CreateIndex
CREATE UNIQUE INDEX "handover_copies_handover_id_source_folder_source_uid_validi_key" ON "handover_copies"("handover_id", "source_folder", "source_uid_validity", "source_uid");

-- CreateIndex
CREATE UNIQUE INDEX "handover_copies_handover_id_target_folder_target_uid_validi_key" ON "handover_copies"("handover_id", "target_folder", "target_uid_validity", "target_uid");

-- AddForeignKey
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_employee_id_fkey" FOREIGN KEY ("employee_id") REFERENCES "employees"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "handovers" ADD CONSTRAINT "handovers_successor_id_fkey" FOREIGN KEY ("successor_id") REFERENCES "employees"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "handover_copies" ADD CONSTRAINT "handover_copies_handover_id_fkey" FOREIGN KEY ("handover_id") REFERENCES "handovers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

