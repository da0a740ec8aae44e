-- Schema 1 -> 2 (the dispatcher): new transaction states and columns,
-- partners' report URL, the sim's receipt count.  Run by `loketctl init`
-- inside one write transaction, before schema.sql creates the new tables.
ALTER TABLE transactions DROP CONSTRAINT IF EXISTS transactions_status_check;
ALTER TABLE transactions ADD CONSTRAINT transactions_status_check CHECK (status IN ('INQUIRED', 'QUEUED', 'SENT', 'PENDING', 'SUCCESS', 'FAILED'));
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS biller VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS lease_owner VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS next_check_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS answered_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS supplier_sku VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS cost BIGINT NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN IF NOT EXISTS route_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN IF NOT EXISTS report_url VARCHAR(512) NOT NULL DEFAULT '';
ALTER TABLE sim_orders ADD COLUMN IF NOT EXISTS times INTEGER NOT NULL DEFAULT 1;
UPDATE transactions SET biller = COALESCE((SELECT p.biller FROM products p WHERE p.code = split_part(transactions.product, '@', 1)), '');
UPDATE transactions SET next_check_at = updated_at, sent_at = 0 WHERE status = 'PENDING';
