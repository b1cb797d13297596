-- The frozen subject (with its per-recipient placeholders) joins the frozen
-- HTML and text; the send lease makes sure one worker at a time sends a
-- campaign even if two campaign.send jobs for it are ever queued.
ALTER TABLE "campaigns" ADD COLUMN "frozen_subject" TEXT;
ALTER TABLE "campaigns" ADD COLUMN "send_lease_owner" TEXT;
ALTER TABLE "campaigns" ADD COLUMN "send_lease_until" TIMESTAMP(3);
