-- Schema 2 -> 3 (issue 13): who posted a deposit, withdrawal or adjustment by
-- hand (loketctl --by).  Run by `loketctl init` inside one write transaction.
ALTER TABLE mutations ADD COLUMN done_by VARCHAR(128) NOT NULL DEFAULT '';
