-- Schema 1 -> 2 (the dispatcher): new transaction states and columns,
-- partners' report URL, the sim's receipt count.  Run by `loketctl init`
-- inside one write transaction, before schema.sql creates the new tables.
-- SQLite cannot ALTER a CHECK constraint; widening one in the stored schema
-- is the documented writable_schema change (the file format is unaffected).
PRAGMA writable_schema = ON;
UPDATE sqlite_master SET sql = replace(sql, 'CHECK (status IN (''INQUIRED'', ''PENDING'', ''SUCCESS'', ''FAILED''))', 'CHECK (status IN (''INQUIRED'', ''QUEUED'', ''SENT'', ''PENDING'', ''SUCCESS'', ''FAILED''))') WHERE type = 'table' AND name = 'transactions';
PRAGMA writable_schema = OFF;
ALTER TABLE transactions ADD COLUMN biller TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN next_check_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN answered_pending INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN supplier_sku TEXT NOT NULL DEFAULT '';
ALTER TABLE transactions ADD COLUMN cost INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN route_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN report_url TEXT NOT NULL DEFAULT '';
ALTER TABLE sim_orders ADD COLUMN times INTEGER NOT NULL DEFAULT 1;
-- Orders pending under schema 1 belong to their product's biller and are due for a check.
UPDATE transactions SET biller = COALESCE((SELECT p.biller FROM products p WHERE p.code = CASE WHEN instr(transactions.product, '@') > 0 THEN substr(transactions.product, 1, instr(transactions.product, '@') - 1) ELSE transactions.product END), '');
UPDATE transactions SET next_check_at = updated_at, sent_at = 0 WHERE status = 'PENDING';
