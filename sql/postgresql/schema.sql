-- Loket ledger schema, PostgreSQL flavour (through psqlODBC).  Same tables, keys and
-- checks as sql/sqlite/schema.sql; only column types differ.
-- Times are BIGINT seconds since the Unix epoch (UTC); money is BIGINT rupiah.

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS partners (
    member_id       VARCHAR(512)    PRIMARY KEY,
    name            VARCHAR(512)    NOT NULL DEFAULT '',
    salt            VARCHAR(512)    NOT NULL,
    pin_hash        VARCHAR(512)    NOT NULL,
    password_hash   VARCHAR(512)    NOT NULL,
    balance         BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
    active          INTEGER NOT NULL DEFAULT 1,
    use_signature   INTEGER NOT NULL DEFAULT 0,
    report_url      VARCHAR(512)    NOT NULL DEFAULT '',  -- callback target for final states (http/https)
    level           VARCHAR(512)    NOT NULL DEFAULT '',  -- price level (price_levels; '' none), schema 4
    created_at      BIGINT NOT NULL
);

-- kind 'topup' has a price; kind 'bill' has a family and an admin fee.
CREATE TABLE IF NOT EXISTS products (
    code        VARCHAR(512)    PRIMARY KEY,
    kind        VARCHAR(512)    NOT NULL CHECK (kind IN ('topup', 'bill')),
    family      VARCHAR(512)    NOT NULL DEFAULT '',
    price       BIGINT NOT NULL DEFAULT 0 CHECK (price >= 0),
    admin       BIGINT NOT NULL DEFAULT 0 CHECK (admin >= 0),
    biller      VARCHAR(512)    NOT NULL DEFAULT 'sim',
    is_open     INTEGER NOT NULL DEFAULT 1
);

-- One row per (partner, refID): the database, not the code, makes a refID unique.
-- status: the state machine of core/transactions/TransactionState.h (docs/protocol.md):
--   INQUIRED (bill read, nothing debited), QUEUED (debited, waiting for a dispatcher),
--   SENT (a dispatcher holds its lease and may have sent it), PENDING (outcome unknown,
--   re-checked with the biller at next_check_at), SUCCESS, FAILED.
-- rc is the response code the row answers with now.
CREATE TABLE IF NOT EXISTS transactions (
    id              BIGSERIAL PRIMARY KEY,
    member_id       VARCHAR(512)    NOT NULL REFERENCES partners(member_id),
    ref_id          VARCHAR(512)    NOT NULL,
    kind            VARCHAR(512)    NOT NULL CHECK (kind IN ('topup', 'bill')),
    product         VARCHAR(512)    NOT NULL,
    dest            VARCHAR(512)    NOT NULL,
    qty             INTEGER NOT NULL DEFAULT 1,
    price           BIGINT NOT NULL DEFAULT 0,
    status          VARCHAR(512)    NOT NULL CHECK (status IN ('INQUIRED', 'QUEUED', 'SENT', 'PENDING', 'SUCCESS', 'FAILED')),
    rc              VARCHAR(512)    NOT NULL,
    sn              VARCHAR(512)    NOT NULL DEFAULT '',
    note            VARCHAR(512)    NOT NULL DEFAULT '',
    bill_name       VARCHAR(512)    NOT NULL DEFAULT '',
    bill_amount     BIGINT NOT NULL DEFAULT 0,
    bill_admin      BIGINT NOT NULL DEFAULT 0,
    bill_period     VARCHAR(512)    NOT NULL DEFAULT '',
    inquiry_expires_at BIGINT NOT NULL DEFAULT 0,
    mitra_message   VARCHAR(512)    NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    sent_at         BIGINT NOT NULL DEFAULT 0,   -- when a dispatcher claimed it to send (0: never)
    biller          VARCHAR(512)    NOT NULL DEFAULT '',  -- the biller chosen when it was queued
    lease_owner     VARCHAR(512)    NOT NULL DEFAULT '',  -- the dispatcher working on it ('' none)
    lease_until     BIGINT NOT NULL DEFAULT 0,   -- that dispatcher's lease ends (seconds)
    next_check_at   BIGINT NOT NULL DEFAULT 0,   -- PENDING: next status call to the biller
    checks          INTEGER NOT NULL DEFAULT 0,   -- status calls made
    answered_pending INTEGER NOT NULL DEFAULT 0,  -- partner was answered 68: report the end by callback
    supplier_sku    VARCHAR(512)    NOT NULL DEFAULT '',  -- the supplier's code for the product ('' = ours)
    cost            BIGINT NOT NULL DEFAULT 0,   -- what it costs us at that supplier
    route_no        INTEGER NOT NULL DEFAULT 0,   -- routes tried before this one
    UNIQUE (member_id, ref_id)
);
CREATE INDEX IF NOT EXISTS transactions_status ON transactions(status, updated_at);
CREATE INDEX IF NOT EXISTS transactions_queue ON transactions(status, biller, next_check_at);

-- The journal (mutasi).  Every balance change is one row; amount is signed.
-- kind: deposit, hold, refund, adjust, withdraw.  A transaction has at most one
-- hold and at most one refund: the UNIQUE key enforces "exactly once".
CREATE TABLE IF NOT EXISTS mutations (
    id              BIGSERIAL PRIMARY KEY,
    member_id       VARCHAR(512)    NOT NULL REFERENCES partners(member_id),
    trx_id          BIGINT REFERENCES transactions(id),
    kind            VARCHAR(512)    NOT NULL CHECK (kind IN ('deposit', 'hold', 'refund', 'adjust', 'withdraw')),
    amount          BIGINT NOT NULL,
    balance_before  BIGINT NOT NULL,
    balance_after   BIGINT NOT NULL,
    note            VARCHAR(512)    NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    -- Issue 13 (schema 3, upgrade-3.sql): who posted a deposit, withdrawal or
    -- adjustment by hand (loketctl --by); '' for a purchase's hold and refund.
    done_by         VARCHAR(128) NOT NULL DEFAULT '',
    UNIQUE (trx_id, kind)
);
CREATE INDEX IF NOT EXISTS mutations_member ON mutations(member_id, id);

-- Reply templates, one per (response code, action).
CREATE TABLE IF NOT EXISTS response_codes (
    rc          VARCHAR(512) NOT NULL,
    action      VARCHAR(512) NOT NULL,
    meaning     VARCHAR(512) NOT NULL DEFAULT '',
    text        VARCHAR(512) NOT NULL,
    PRIMARY KEY (rc, action)
);

-- The sim biller's own state: fixtures per destination, bills per customer,
-- and the orders it has received (so it can answer "never received").
CREATE TABLE IF NOT EXISTS sim_fixtures (
    dest        VARCHAR(512)    PRIMARY KEY,
    result      VARCHAR(512)    NOT NULL CHECK (result IN ('success', 'failed', 'pending')),
    sn          VARCHAR(512)    NOT NULL DEFAULT '',
    delay_ms    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sim_bills (
    product     VARCHAR(512)    NOT NULL,
    customer    VARCHAR(512)    NOT NULL,
    name        VARCHAR(512)    NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount >= 0),
    period      VARCHAR(512)    NOT NULL DEFAULT '',
    paid        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product, customer)
);
CREATE TABLE IF NOT EXISTS sim_orders (
    order_id    VARCHAR(512)    PRIMARY KEY,
    dest        VARCHAR(512)    NOT NULL,
    received_at BIGINT NOT NULL,
    times       INTEGER NOT NULL DEFAULT 1   -- how often this order arrived (1 = once, as it must)
);

-- Bill inquiries (jenis=5) on their way to a biller: a worker queues one and
-- waits up to reply.wait_ms; a dispatcher claims it, asks the biller and
-- writes the answer.  Rows are working state, removed by the dispatcher after
-- an hour; the partner-facing record is the INQUIRED transaction.
CREATE TABLE IF NOT EXISTS inquiries (
    id          BIGSERIAL PRIMARY KEY,
    biller      VARCHAR(512)    NOT NULL,
    product     VARCHAR(512)    NOT NULL,
    family      VARCHAR(512)    NOT NULL,
    customer    VARCHAR(512)    NOT NULL,
    months      INTEGER NOT NULL DEFAULT 1,
    year        INTEGER NOT NULL DEFAULT 0,
    amount      BIGINT NOT NULL DEFAULT 0,
    status      VARCHAR(512)    NOT NULL CHECK (status IN ('QUEUED', 'SENT', 'ANSWERED')),
    lease_owner VARCHAR(512)    NOT NULL DEFAULT '',
    deadline    BIGINT NOT NULL,              -- the worker stops waiting then (seconds)
    result      VARCHAR(512)    NOT NULL DEFAULT '',   -- found, nocustomer, nothing, unknown
    bill_name   VARCHAR(512)    NOT NULL DEFAULT '',
    bill_amount BIGINT NOT NULL DEFAULT 0,
    bill_period VARCHAR(512)    NOT NULL DEFAULT '',
    created_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS inquiries_status ON inquiries(status, biller);

-- Partner callbacks (the outbox): written in the same database transaction as
-- the settlement they report, delivered at least once by a dispatcher.
CREATE TABLE IF NOT EXISTS callbacks (
    id              BIGSERIAL PRIMARY KEY,
    trx_id          BIGINT NOT NULL REFERENCES transactions(id),
    member_id       VARCHAR(512)    NOT NULL REFERENCES partners(member_id),
    url             TEXT NOT NULL,
    status          VARCHAR(512)    NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_owner     VARCHAR(512)    NOT NULL DEFAULT '',
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      VARCHAR(512)    NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT NOT NULL DEFAULT 0,
    UNIQUE (trx_id)
);
CREATE INDEX IF NOT EXISTS callbacks_due ON callbacks(status, next_attempt_at);

-- ---------------------------------------------------------------------------
-- Suppliers (issue 10): upstream billers defined as configuration
-- (docs/suppliers.md).  type otomax: url template, method, regexes; type
-- digiflazz: base_url and username.  secret_* hold values sealed by SecretBox
-- (AES-256-GCM, key in auth.key_file), never plain text.  balance is the last
-- balance the supplier reported; balance_at = 0 means none yet.  Every text
-- column stays under Poco ODBC's 1024-byte field size (loketctl checks).
CREATE TABLE IF NOT EXISTS suppliers (
    code            VARCHAR(512)    PRIMARY KEY,
    type            VARCHAR(512)    NOT NULL CHECK (type IN ('otomax', 'digiflazz')),
    is_open         INTEGER NOT NULL DEFAULT 1,
    preset          VARCHAR(512)    NOT NULL DEFAULT '',
    url             VARCHAR(1000)   NOT NULL DEFAULT '',
    method          VARCHAR(512)    NOT NULL DEFAULT 'GET' CHECK (method IN ('GET', 'POST')),
    base_url        VARCHAR(1000)   NOT NULL DEFAULT '',
    member          VARCHAR(512)    NOT NULL DEFAULT '',
    username        VARCHAR(512)    NOT NULL DEFAULT '',
    sign_prefix     VARCHAR(512)    NOT NULL DEFAULT '',
    success_re      VARCHAR(1000)   NOT NULL DEFAULT '',
    failed_re       VARCHAR(1000)   NOT NULL DEFAULT '',
    pending_re      VARCHAR(1000)   NOT NULL DEFAULT '',
    check_param     VARCHAR(512)    NOT NULL DEFAULT '',
    report_ips      VARCHAR(1000)   NOT NULL DEFAULT '',
    secret_pin      VARCHAR(1000)   NOT NULL DEFAULT '',
    secret_password VARCHAR(1000)   NOT NULL DEFAULT '',
    secret_key      VARCHAR(1000)   NOT NULL DEFAULT '',
    secret_webhook  VARCHAR(1000)   NOT NULL DEFAULT '',
    secret_report_token VARCHAR(1000) NOT NULL DEFAULT '',
    balance         BIGINT NOT NULL DEFAULT 0,
    balance_at      BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- Routes: which suppliers deliver a product, under which of their codes, at
-- what cost per unit, tried in priority order (then cheapest first).  A
-- product without routes is served by its `biller` column alone.
CREATE TABLE IF NOT EXISTS routes (
    product     VARCHAR(512)    NOT NULL,
    supplier    VARCHAR(512)    NOT NULL,
    code        VARCHAR(512)    NOT NULL,
    cost        BIGINT NOT NULL CHECK (cost >= 0),
    priority    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (product, supplier)
);

-- Every call about an order: to which supplier, when, what it answered.
CREATE TABLE IF NOT EXISTS attempts (
    id          BIGSERIAL PRIMARY KEY,
    trx_id      BIGINT NOT NULL REFERENCES transactions(id),
    kind        VARCHAR(512)    NOT NULL CHECK (kind IN ('order', 'status', 'report', 'operator')),
    supplier    VARCHAR(512)    NOT NULL,
    code        VARCHAR(512)    NOT NULL DEFAULT '',
    sent_at     BIGINT NOT NULL DEFAULT 0,
    answered_at BIGINT NOT NULL,
    outcome     VARCHAR(512)    NOT NULL CHECK (outcome IN ('success', 'failed', 'pending')),
    reply       VARCHAR(512)    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS attempts_trx ON attempts(trx_id, id);

-- Partner authentication (issue 11), apart from the partners row.
-- partner_auth: pin and password sealed with AES-256-GCM under auth.key_file
-- (the key is never in the ledger); a partner's own sign prefix; its IP
-- allowlist.  An empty sealed field: the partners row still holds that
-- secret's salted digest (replaced on the next successful authentication).
CREATE TABLE IF NOT EXISTS partner_auth (
    member_id       VARCHAR(512)    PRIMARY KEY REFERENCES partners(member_id),
    pin_sealed      VARCHAR(1024)   NOT NULL DEFAULT '',
    password_sealed VARCHAR(1024)   NOT NULL DEFAULT '',
    sign_prefix     VARCHAR(1024)   NOT NULL DEFAULT '',
    ip_allow        VARCHAR(1024)   NOT NULL DEFAULT ''
);
-- Consecutive failed authentications per memberID, known or not (so a lock
-- does not tell which memberIDs exist); shared by every worker and host.
CREATE TABLE IF NOT EXISTS auth_failures (
    member_id       VARCHAR(512)    PRIMARY KEY,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_failure_at BIGINT NOT NULL DEFAULT 0,
    locked_until    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS auth_failures_last ON auth_failures(last_failure_at);

-- Partner price levels (issue 10, schema 4): a partner whose partners.level is
-- LEVEL pays a product's price plus that level's markup for it (a bill: its
-- admin fee plus the markup).  No row: no markup.  core/catalogue/PriceLevels.
CREATE TABLE IF NOT EXISTS price_levels (
    level       VARCHAR(512)    NOT NULL,
    product     VARCHAR(512)    NOT NULL,
    markup      BIGINT NOT NULL CHECK (markup >= 0),
    PRIMARY KEY (level, product)
);

-- One bill is paid at most once, whatever the refIDs (issue 10, schema 4): a
-- payment claims its bill (family|customer|period|amount) in the same database
-- transaction as its hold.  A claim held by a FAILED payment is taken over by
-- the next payment; any other holder makes the payment RC 88.
CREATE TABLE IF NOT EXISTS bill_claims (
    bill_key    VARCHAR(512)    PRIMARY KEY,
    trx_id      BIGINT NOT NULL REFERENCES transactions(id),
    claimed_at  BIGINT NOT NULL
);
