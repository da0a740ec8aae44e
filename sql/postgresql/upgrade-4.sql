-- Schema 3 -> 4 (issue 10): partner price levels and the one-payment-per-bill
-- claim.  Run by `loketctl init` inside one write transaction, before
-- schema.sql creates the new tables (price_levels, bill_claims).
ALTER TABLE partners ADD COLUMN IF NOT EXISTS level VARCHAR(512) NOT NULL DEFAULT '';
