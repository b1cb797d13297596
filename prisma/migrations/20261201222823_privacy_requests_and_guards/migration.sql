-- Privacy (issue 10): data-subject requests, contact events, corrections,
-- partners and disclosures; an index for finding a person's deliveries; and
-- the guards that make the consent ledger and the audit log append-only.

-- CreateEnum
CREATE TYPE "PrivacyRequestKind" AS ENUM ('export', 'correction', 'erasure', 'withdrawal');

-- CreateEnum
CREATE TYPE "PrivacyRequestState" AS ENUM ('received', 'done', 'refused');

-- CreateTable
CREATE TABLE "privacy_requests" (
    "id" SERIAL NOT NULL,
    "reference" TEXT NOT NULL,
    "kind" "PrivacyRequestKind" NOT NULL,
    "state" "PrivacyRequestState" NOT NULL DEFAULT 'received',
    "contact_id" INTEGER,
    "address_hash" TEXT NOT NULL,
    "verification_method" TEXT NOT NULL,
    "verification_reference" TEXT,
    "actor" TEXT NOT NULL,
    "received_at" TIMESTAMP(3) NOT NULL,
    "due_at" TIMESTAMP(3) NOT NULL,
    "completed_at" TIMESTAMP(3),
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "privacy_requests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_events" (
    "id" SERIAL NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "via" TEXT NOT NULL,
    "note" TEXT,
    "actor" TEXT NOT NULL,
    "occurred_at" TIMESTAMP(3) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_corrections" (
    "id" SERIAL NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "request_id" INTEGER,
    "changes" JSONB NOT NULL,
    "actor" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "contact_corrections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partners" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "partners_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contact_partners" (
    "contact_id" INTEGER NOT NULL,
    "partner_id" INTEGER NOT NULL,
    "linked_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contact_partners_pkey" PRIMARY KEY ("contact_id","partner_id")
);

-- CreateTable
CREATE TABLE "partner_disclosures" (
    "id" SERIAL NOT NULL,
    "partner_id" INTEGER NOT NULL,
    "contact_id" INTEGER NOT NULL,
    "export_id" TEXT NOT NULL,
    "disclosed_at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "partner_disclosures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "privacy_requests_reference_key" ON "privacy_requests"("reference");

-- CreateIndex
CREATE INDEX "privacy_requests_state_due_at_idx" ON "privacy_requests"("state", "due_at");

-- CreateIndex
CREATE INDEX "privacy_requests_address_hash_idx" ON "privacy_requests"("address_hash");

-- CreateIndex
CREATE INDEX "contact_events_contact_id_occurred_at_idx" ON "contact_events"("contact_id", "occurred_at");

-- CreateIndex
CREATE INDEX "contact_corrections_contact_id_idx" ON "contact_corrections"("contact_id");

-- CreateIndex
CREATE UNIQUE INDEX "partners_name_key" ON "partners"("name");

-- CreateIndex
CREATE INDEX "contact_partners_partner_id_idx" ON "contact_partners"("partner_id");

-- CreateIndex
CREATE INDEX "partner_disclosures_contact_id_idx" ON "partner_disclosures"("contact_id");

-- CreateIndex
CREATE INDEX "deliveries_contact_id_idx" ON "deliveries"("contact_id");

-- AddForeignKey
ALTER TABLE "privacy_requests" ADD CONSTRAINT "privacy_requests_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_events" ADD CONSTRAINT "contact_events_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_corrections" ADD CONSTRAINT "contact_corrections_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_partners" ADD CONSTRAINT "contact_partners_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "contact_partners" ADD CONSTRAINT "contact_partners_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partner_disclosures" ADD CONSTRAINT "partner_disclosures_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partner_disclosures" ADD CONSTRAINT "partner_disclosures_contact_id_fkey" FOREIGN KEY ("contact_id") REFERENCES "contacts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The consent ledger refuses DELETE too, except inside an erasure: eraseContacts
-- sets mailsteward.erasure = 'on' for its own transaction only (set_config(...,
-- true)), so the cascade from contacts passes and nothing else can remove
-- evidence of consent.
CREATE OR REPLACE FUNCTION consent_events_delete_guard() RETURNS TRIGGER AS $$
BEGIN
	IF current_setting('mailsteward.erasure', true) = 'on' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'consent_events is append-only: rows leave only when the person is erased';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_events_no_delete
BEFORE DELETE ON "consent_events"
FOR EACH ROW EXECUTE FUNCTION consent_events_delete_guard();

-- The audit log is append-only: UPDATE is refused always; DELETE only by the
-- log's own retention (pruneAuditLog sets mailsteward.audit_retention = 'on'
-- for its transaction). A statement-level trigger also refuses TRUNCATE.
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS TRIGGER AS $$
BEGIN
	IF TG_OP = 'DELETE' AND current_setting('mailsteward.audit_retention', true) = 'on' THEN
		RETURN OLD;
	END IF;
	RAISE EXCEPTION 'audit_log is append-only: % is refused (only the audit retention may delete old entries)', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_change
BEFORE UPDATE OR DELETE ON "audit_log"
FOR EACH ROW EXECUTE FUNCTION audit_log_guard();

CREATE TRIGGER audit_log_no_truncate
BEFORE TRUNCATE ON "audit_log"
FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
