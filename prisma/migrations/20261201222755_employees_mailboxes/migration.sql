-- CreateEnum
CREATE TYPE "EmployeeStatus" AS ENUM ('active', 'departing', 'departed');

-- CreateEnum
CREATE TYPE "MailboxTlsMode" AS ENUM ('tls', 'starttls', 'none');

-- CreateEnum
CREATE TYPE "CleanupRunStatus" AS ENUM ('review', 'deleting', 'done', 'refused', 'failed');

-- CreateTable
CREATE TABLE "employees" (
    "id" SERIAL NOT NULL,
    "address" TEXT NOT NULL,
    "imap_host" TEXT NOT NULL,
    "imap_port" INTEGER NOT NULL,
    "tls_mode" "MailboxTlsMode" NOT NULL DEFAULT 'tls',
    "login" TEXT NOT NULL,
    "secret_ref" TEXT NOT NULL,
    "status" "EmployeeStatus" NOT NULL DEFAULT 'active',
    "successor_id" INTEGER,
    "cleanup_policy" JSONB,
    "departed_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "employees_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "cleanup_runs" (
    "id" SERIAL NOT NULL,
    "employee_id" INTEGER NOT NULL,
    "status" "CleanupRunStatus" NOT NULL,
    "delete_after" TIMESTAMP(3) NOT NULL,
    "digest_sent_at" TIMESTAMP(3),
    "pending" JSONB,
    "report" JSONB NOT NULL DEFAULT '{}',
    "started_at" TIMESTAMP(3),
    "finished_at" TIMESTAMP(3),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "cleanup_runs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "employees_address_key" ON "employees"("address");

-- CreateIndex
CREATE INDEX "employees_status_idx" ON "employees"("status");

-- CreateIndex
CREATE INDEX "cleanup_runs_employee_id_created_at_idx" ON "cleanup_runs"("employee_id", "created_at");

-- CreateIndex
CREATE INDEX "cleanup_runs_status_delete_after_idx" ON "cleanup_runs"("status", "delete_after");

-- AddForeignKey
ALTER TABLE "employees" ADD CONSTRAINT "employees_successor_id_fkey" FOREIGN KEY ("successor_id") REFERENCES "employees"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "cleanup_runs" ADD CONSTRAINT "cleanup_runs_employee_id_fkey" FOREIGN KEY ("employee_id") REFERENCES "employees"("id") ON DELETE CASCADE ON UPDATE CASCADE;

