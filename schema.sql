-- The one schema of retain.
--
-- This file is a sequence of migrations. Each starts with a line `-- migration N` (N counting up
-- from 1) and runs, in one BEGIN IMMEDIATE transaction together with every later one, on a file
-- whose `PRAGMA user_version` is below N. Run whole (for example `sqlite3 new.db < schema.sql`),
-- it builds the same schema the migrations build. Never edit a migration that has shipped: append
-- a new one.
--
-- Conventions, kept everywhere:
-- * Money is an INTEGER in the minor unit of the row's `currency` (cents for USD, pence for GBP,
--   yen for JPY). Columns that hold it end in `_cents`, the name scripts already use.
-- * A calendar day is TEXT 'YYYY-MM-DD'. An instant is TEXT 'YYYY-MM-DDTHH:MM:SSZ', always UTC.
--   Both sort as text, and an instant compares with a day as expected ('2026-11-02T09:00:00Z'
--   >= '2026-11-02'), so range queries need no conversion and the sqlite3 shell shows them plainly.
-- * Enumerations are TEXT guarded by CHECK, so a bad value fails at the write, not at the read.

-- migration 1

-- Marks the file as ours: a SQLite file with another application id is refused, never migrated.
PRAGMA application_id = 1381256753; -- 0x52544E31, 'RTN1'

CREATE TABLE reps (
    id           INTEGER PRIMARY KEY,
    login        TEXT NOT NULL UNIQUE,          -- the OS user name
    display_name TEXT NOT NULL,
    role         TEXT NOT NULL DEFAULT 'rep' CHECK (role IN ('rep', 'lead', 'admin')),
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE accounts (
    id               INTEGER PRIMARY KEY,
    external_id      TEXT NOT NULL UNIQUE,      -- the id in the team's CRM or billing system
    name             TEXT NOT NULL,
    domain           TEXT,
    industry         TEXT,
    plan             TEXT,
    billing_interval TEXT NOT NULL DEFAULT 'monthly' CHECK (billing_interval IN ('monthly', 'annual')),
    mrr_cents        INTEGER NOT NULL DEFAULT 0 CHECK (mrr_cents >= 0),
    currency         TEXT NOT NULL DEFAULT 'USD' CHECK (length(currency) = 3),
    customer_since   TEXT NOT NULL,             -- day
    renewal_date     TEXT,                      -- day; the next contract renewal
    owner_rep_id     INTEGER REFERENCES reps (id) ON DELETE SET NULL,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'churned')),
    churned_at       TEXT,                      -- day
    churn_reason     TEXT,
    churn_kind       TEXT CHECK (churn_kind IN ('voluntary', 'involuntary')),
    version          INTEGER NOT NULL DEFAULT 1, -- bumped by every update: optimistic concurrency
    updated_at       TEXT NOT NULL,             -- instant
    CHECK ((status = 'churned') = (churned_at IS NOT NULL)),
    CHECK (status = 'churned' OR churn_kind IS NULL)
);
CREATE INDEX accounts_name ON accounts (name COLLATE NOCASE);
CREATE INDEX accounts_domain ON accounts (domain COLLATE NOCASE);
CREATE INDEX accounts_owner_status ON accounts (owner_rep_id, status);
CREATE INDEX accounts_status_renewal ON accounts (status, renewal_date);
CREATE INDEX accounts_churned_at ON accounts (churned_at) WHERE churned_at IS NOT NULL;
CREATE INDEX accounts_customer_since ON accounts (customer_since);

-- Every change of an account's MRR after it started: expansion, contraction (downgrade), price
-- change. The account's first MRR is the `from_cents` of its earliest change, or its current MRR.
CREATE TABLE mrr_changes (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    changed_on TEXT NOT NULL,                   -- day
    from_cents INTEGER NOT NULL CHECK (from_cents >= 0),
    to_cents   INTEGER NOT NULL CHECK (to_cents >= 0),
    reason     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mrr_changes_account ON mrr_changes (account_id, changed_on);
CREATE INDEX mrr_changes_on ON mrr_changes (changed_on);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    email      TEXT,
    phone      TEXT,                            -- as given; lookups compare digits only
    role       TEXT,
    is_primary INTEGER NOT NULL DEFAULT 0 CHECK (is_primary IN (0, 1))
);
CREATE INDEX contacts_account ON contacts (account_id);
CREATE INDEX contacts_email ON contacts (email COLLATE NOCASE);
CREATE INDEX contacts_name ON contacts (name COLLATE NOCASE);

CREATE TABLE interactions (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    rep_id      INTEGER REFERENCES reps (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('call', 'email', 'meeting', 'note', 'check-in')),
    occurred_at TEXT NOT NULL,                  -- instant
    summary     TEXT NOT NULL,
    body        TEXT NOT NULL DEFAULT '',
    outcome     TEXT,
    tags        TEXT NOT NULL DEFAULT ''        -- space-separated words: competitor pricing bug ...
);
CREATE INDEX interactions_account_time ON interactions (account_id, occurred_at);
CREATE INDEX interactions_rep_time ON interactions (rep_id, occurred_at);

CREATE TABLE tickets (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    external_id  TEXT UNIQUE,
    subject      TEXT NOT NULL,
    severity     TEXT NOT NULL DEFAULT 'normal' CHECK (severity IN ('low', 'normal', 'high', 'urgent')),
    opened_at    TEXT NOT NULL,                 -- instant
    resolved_at  TEXT,                          -- instant; NULL while open
    satisfaction INTEGER CHECK (satisfaction BETWEEN 1 AND 5), -- CSAT after resolution, if given
    CHECK (resolved_at IS NULL OR resolved_at >= opened_at)
);
CREATE INDEX tickets_account_time ON tickets (account_id, opened_at);
CREATE INDEX tickets_open ON tickets (account_id) WHERE resolved_at IS NULL;

CREATE TABLE nps_responses (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id   INTEGER REFERENCES contacts (id) ON DELETE SET NULL,
    responded_at TEXT NOT NULL,                 -- instant
    score        INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX nps_account_time ON nps_responses (account_id, responded_at);

-- One row per account and month: `period` is the first day of the month it covers.
CREATE TABLE usage_snapshots (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    period            TEXT NOT NULL,            -- day
    active_users      INTEGER NOT NULL CHECK (active_users >= 0),
    seats             INTEGER NOT NULL CHECK (seats >= 0),
    logins            INTEGER NOT NULL CHECK (logins >= 0),
    key_feature_uses  INTEGER NOT NULL CHECK (key_feature_uses >= 0),
    UNIQUE (account_id, period)
);

CREATE TABLE checkins (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    stage         TEXT NOT NULL CHECK (stage IN ('early', 'mid', 'late')),
    kind          TEXT NOT NULL,                -- welcome, kickoff, adoption, review, renewal-prep ...
    due_date      TEXT NOT NULL,                -- day
    done_at       TEXT,                         -- instant
    rep_id        INTEGER REFERENCES reps (id) ON DELETE SET NULL,
    outcome       TEXT,
    snoozed_until TEXT,                         -- day
    snooze_reason TEXT,
    CHECK (snoozed_until IS NULL OR snooze_reason IS NOT NULL)
);
CREATE INDEX checkins_open_due ON checkins (due_date) WHERE done_at IS NULL;
CREATE INDEX checkins_account ON checkins (account_id, due_date);

CREATE TABLE failed_payments (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    external_ref       TEXT NOT NULL UNIQUE,   -- invoice or charge id in the billing system
    amount_cents       INTEGER NOT NULL CHECK (amount_cents > 0),
    currency           TEXT NOT NULL CHECK (length(currency) = 3),
    first_failed_at    TEXT NOT NULL,           -- instant
    last_decline_code  TEXT NOT NULL,
    attempt_count      INTEGER NOT NULL DEFAULT 1 CHECK (attempt_count >= 1),
    next_retry_at      TEXT,                    -- instant; NULL when no retry is planned
    status             TEXT NOT NULL DEFAULT 'failing'
                           CHECK (status IN ('failing', 'recovered', 'lost', 'written_off')),
    resolved_at        TEXT,                    -- instant the status left 'failing'
    card_exp_month     INTEGER CHECK (card_exp_month BETWEEN 1 AND 12),
    card_exp_year      INTEGER,
    CHECK ((status = 'failing') = (resolved_at IS NULL))
);
CREATE INDEX failed_payments_status_retry ON failed_payments (status, next_retry_at);
CREATE INDEX failed_payments_account ON failed_payments (account_id);
CREATE INDEX failed_payments_first_failed ON failed_payments (first_failed_at);

CREATE TABLE payment_attempts (
    id           INTEGER PRIMARY KEY,
    payment_id   INTEGER NOT NULL REFERENCES failed_payments (id) ON DELETE CASCADE,
    attempted_at TEXT NOT NULL,                 -- instant
    outcome      TEXT NOT NULL CHECK (outcome IN ('failed', 'succeeded')),
    decline_code TEXT,
    automatic    INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    CHECK ((outcome = 'failed') = (decline_code IS NOT NULL))
);
CREATE INDEX payment_attempts_payment ON payment_attempts (payment_id, attempted_at);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,                    -- instant
    os_user   TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,                    -- table name
    entity_id INTEGER,
    before    TEXT,                             -- JSON of the row before, NULL on insert
    after     TEXT                              -- JSON of the row after, NULL on delete
);
CREATE INDEX audit_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_at ON audit_log (at);

-- migration 2

-- The day a rep promised to come back to the customer, set when logging a call.
ALTER TABLE interactions ADD COLUMN follow_up_on TEXT; -- day
CREATE INDEX interactions_follow_up ON interactions (follow_up_on) WHERE follow_up_on IS NOT NULL;

-- What a rep is typing in a form, saved as it is typed so that a crash or a dropped SSH
-- connection loses nothing. One draft per rep and account; saving the form deletes it.
CREATE TABLE drafts (
    id          INTEGER PRIMARY KEY,
    rep_login   TEXT NOT NULL,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    outcome     TEXT NOT NULL DEFAULT '',
    body        TEXT NOT NULL DEFAULT '',
    tags        TEXT NOT NULL DEFAULT '',
    follow_up   TEXT NOT NULL DEFAULT '',      -- as typed: '+3d', 'fri', '2026-12-01'
    updated_at  TEXT NOT NULL,                 -- instant
    UNIQUE (rep_login, account_id)
);

-- Pane lists: active accounts by MRR, and newest customers first.
CREATE INDEX accounts_status_mrr ON accounts (status, mrr_cents);
CREATE INDEX accounts_status_since ON accounts (status, customer_since);

-- migration 3

-- Each active account's risk score, once a day: the trend (7 and 30 days) and "what changed
-- since yesterday" are read from here. `points` is a JSON object of points by factor.
CREATE TABLE risk_scores (
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day        TEXT NOT NULL,                   -- day
    score      REAL NOT NULL CHECK (score BETWEEN 0 AND 100),
    band       TEXT NOT NULL CHECK (band IN ('low', 'medium', 'high')),
    top_factor TEXT,
    points     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (account_id, day)
) WITHOUT ROWID;
CREATE INDEX risk_scores_day ON risk_scores (day);

-- An account taken out of the at-risk view until a day, with why; it comes back earlier if its
-- score rises by 10 or more over `score`.
CREATE TABLE risk_snoozes (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    until      TEXT NOT NULL,                   -- day
    reason     TEXT NOT NULL CHECK (reason <> ''),
    score      REAL NOT NULL,
    os_user    TEXT NOT NULL,
    at         TEXT NOT NULL                    -- instant
);

-- migration 4

-- What the retry policy reads beyond the attempts: the processor's advice, a new card, a pause,
-- and when the customer was last contacted about the payment.
ALTER TABLE failed_payments ADD COLUMN advice_code TEXT;
ALTER TABLE failed_payments ADD COLUMN card_updated_at TEXT;     -- instant
ALTER TABLE failed_payments ADD COLUMN paused_until TEXT;        -- day
ALTER TABLE failed_payments ADD COLUMN pause_reason TEXT;
ALTER TABLE failed_payments ADD COLUMN last_outreach_at TEXT;    -- instant

-- migration 5

-- An attempt's id in the billing system (the charge), so that an export imported twice records
-- each attempt once.
ALTER TABLE payment_attempts ADD COLUMN external_ref TEXT;
CREATE UNIQUE INDEX payment_attempts_external_ref ON payment_attempts (external_ref)
    WHERE external_ref IS NOT NULL;

-- Why a rep wrote a payment off.
ALTER TABLE failed_payments ADD COLUMN write_off_reason TEXT;

-- The card on file of each account as the billing system last reported it: the expiring-card
-- queue reads it before any payment fails.
CREATE TABLE account_cards (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    brand      TEXT,
    last4      TEXT,
    exp_month  INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year   INTEGER NOT NULL,
    updated_at TEXT NOT NULL                    -- instant
);

-- An account that cancels after one of its payments was lost or written off left over a
-- payment, not by choice: whatever path marks the churn (import, console, script), it is
-- involuntary.
CREATE TRIGGER accounts_churn_after_lost_payment
AFTER UPDATE OF status ON accounts
WHEN NEW.status = 'churned' AND OLD.status = 'active'
     AND EXISTS (SELECT 1 FROM failed_payments
                 WHERE account_id = NEW.id AND status IN ('lost', 'written_off'))
BEGIN
    UPDATE accounts SET churn_kind = 'involuntary' WHERE id = NEW.id;
END;

-- migration 6

-- A row of a rep's queue put off until a day: it comes back then, whatever its reasons.
CREATE TABLE queue_snoozes (
    rep_login  TEXT NOT NULL,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    until      TEXT NOT NULL,                   -- day
    reason     TEXT NOT NULL CHECK (reason <> ''),
    at         TEXT NOT NULL,                   -- instant
    PRIMARY KEY (rep_login, account_id)
) WITHOUT ROWID;

-- migration 7

-- Who is working an account that has no owner, so that two reps do not call the same customer
-- at once. A claim lasts until `expires_at`; the console that holds it releases it when the rep
-- moves on or the session ends. `session` tells one console of a rep from another.
CREATE TABLE claims (
    account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    rep_login  TEXT NOT NULL,
    session    TEXT NOT NULL,
    claimed_at TEXT NOT NULL,                   -- instant
    expires_at TEXT NOT NULL                    -- instant
);
CREATE INDEX claims_session ON claims (session);

-- migration 8

-- The account's plan and context in the team's words, edited by any rep. Saved against the
-- account's `version`: an edit made on a version someone else has since changed is a conflict
-- the rep resolves, never a silent overwrite.
ALTER TABLE accounts ADD COLUMN notes TEXT NOT NULL DEFAULT '';

-- migration 9

-- Indexes that answer risk scoring and a rep's queue without visiting the table rows: scoring
-- reads a year of each account's interactions and tickets, and the wide rows (summaries, bodies,
-- subjects) made that pass a random walk over the whole table.
DROP INDEX interactions_account_time;
CREATE INDEX interactions_account_time ON interactions (account_id, occurred_at, rep_id, kind, tags);
DROP INDEX tickets_account_time;
CREATE INDEX tickets_account_time
    ON tickets (account_id, opened_at, resolved_at, severity, satisfaction);
-- A rep's promised follow-ups, without reading every other rep's.
DROP INDEX interactions_follow_up;
CREATE INDEX interactions_follow_up
    ON interactions (rep_id, follow_up_on) WHERE follow_up_on IS NOT NULL;

-- migration 10

-- A day's kept risk score is used as it is (a rep's queue reads it rather than scoring the whole
-- book again) only while it is current: scored by the same model (`model`, the model's
-- fingerprint) from the same facts. `fact_changes` counts, per account, the changes to what
-- scoring reads, whatever wrote them (console, CLI, import, script); a kept score records the
-- count its scorer read before the facts (`facts_seen`), so a change made while it scored, or
-- after, leaves it behind. An attempt counts for the account of its payment, while the payment
-- is there (a deleted payment takes its attempts with it).
ALTER TABLE risk_scores ADD COLUMN model INTEGER;
ALTER TABLE risk_scores ADD COLUMN facts_seen INTEGER;
CREATE TABLE fact_changes (
    account_id INTEGER PRIMARY KEY,
    n          INTEGER NOT NULL DEFAULT 1
);
CREATE TRIGGER interactions_changed_insert AFTER INSERT ON interactions BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER interactions_changed_update AFTER UPDATE ON interactions BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER interactions_changed_delete AFTER DELETE ON interactions BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tickets_changed_insert AFTER INSERT ON tickets BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tickets_changed_update AFTER UPDATE ON tickets BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER tickets_changed_delete AFTER DELETE ON tickets BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER nps_changed_insert AFTER INSERT ON nps_responses BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER nps_changed_update AFTER UPDATE ON nps_responses BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER nps_changed_delete AFTER DELETE ON nps_responses BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER usage_changed_insert AFTER INSERT ON usage_snapshots BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER usage_changed_update AFTER UPDATE ON usage_snapshots BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER usage_changed_delete AFTER DELETE ON usage_snapshots BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER mrr_changes_changed_insert AFTER INSERT ON mrr_changes BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER mrr_changes_changed_update AFTER UPDATE ON mrr_changes BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER mrr_changes_changed_delete AFTER DELETE ON mrr_changes BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER failed_payments_changed_insert AFTER INSERT ON failed_payments BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER failed_payments_changed_update AFTER UPDATE ON failed_payments BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER failed_payments_changed_delete AFTER DELETE ON failed_payments BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER payment_attempts_changed_insert AFTER INSERT ON payment_attempts BEGIN
    INSERT INTO fact_changes (account_id)
        SELECT account_id FROM failed_payments WHERE id = NEW.payment_id
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER payment_attempts_changed_update AFTER UPDATE ON payment_attempts BEGIN
    INSERT INTO fact_changes (account_id)
        SELECT account_id FROM failed_payments WHERE id = OLD.payment_id
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id)
        SELECT account_id FROM failed_payments WHERE id = NEW.payment_id
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER payment_attempts_changed_delete AFTER DELETE ON payment_attempts BEGIN
    INSERT INTO fact_changes (account_id)
        SELECT account_id FROM failed_payments WHERE id = OLD.payment_id
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;
-- What scoring reads of the account itself.
CREATE TRIGGER accounts_changed_update AFTER UPDATE OF customer_since, churned_at, billing_interval, renewal_date ON accounts BEGIN
    INSERT INTO fact_changes (account_id) VALUES (NEW.id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;

-- migration 11

-- The payments in dunning (failing, or recovered lately) found from the index alone, with their
-- account, so that a rep's queue reads only the rows of the rep's own accounts: a rep's payments
-- took 88 ms at a million accounts when every recovered payment's row was read, 11 ms now.
CREATE INDEX failed_payments_status_resolved
    ON failed_payments (status, resolved_at, account_id);

-- migration 12

-- Who holds a long job on the file: `payments run` (one at a time, however each found the file:
-- another path, a link, a copy of the binary) and imports (announced before their one long write
-- transaction, so that a rep whose write waits is told what for). `host` and `pid` tell a job
-- that crashed from one still going; `beat_at` moves on as it works, and a holder on another host
-- that has not beaten for `stale_after_s` seconds is taken for dead. `what` says it in words.
CREATE TABLE run_locks (
    name          TEXT PRIMARY KEY,
    what          TEXT NOT NULL DEFAULT '',
    os_user       TEXT NOT NULL,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    beat_at       TEXT NOT NULL,
    stale_after_s INTEGER NOT NULL CHECK (stale_after_s > 0)
);

-- A payment handed to a hook that never answered (stopped at its timeout, by a signal, or with
-- its run killed) may have been charged: it is not retried by a run until a person records what
-- happened (any attempt, a new card, a pause, a write-off) or a later attempt arrives from the
-- billing system. Set before the hook starts, cleared when its answer is recorded.
ALTER TABLE failed_payments ADD COLUMN hook_unsettled_at TEXT;
ALTER TABLE failed_payments ADD COLUMN hook_unsettled_why TEXT;
-- A payment the billing system reported paid before retain heard that it failed (exports imported
-- out of order): kept, so that the failure, when it comes, is recovered at once, and one set of
-- events gives the same database in any order and any number of replays.
CREATE TABLE billing_paid (
    payment_ref TEXT PRIMARY KEY,
    attempt_ref TEXT,
    paid_at     TEXT NOT NULL
);

-- Marking a payment handed to a hook changes nothing scoring reads: the fact-change trigger
-- counts updates of every other column.
DROP TRIGGER failed_payments_changed_update;
CREATE TRIGGER failed_payments_changed_update AFTER UPDATE OF id, account_id, external_ref,
        amount_cents, currency, first_failed_at, last_decline_code, attempt_count,
        next_retry_at, status, resolved_at, card_exp_month, card_exp_year, advice_code,
        card_updated_at, paused_until, pause_reason, last_outreach_at, write_off_reason
    ON failed_payments BEGIN
    INSERT INTO fact_changes (account_id) VALUES (OLD.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
    INSERT INTO fact_changes (account_id) VALUES (NEW.account_id)
        ON CONFLICT (account_id) DO UPDATE SET n = n + 1;
END;

-- migration 13
-- The country an account is in (ISO 3166-1 alpha-2): the numbering plan its contacts' phone
-- numbers follow when they are written without a country code. Without one, the team's default
-- region (config) is used.
ALTER TABLE accounts ADD COLUMN country TEXT
    CHECK (country IS NULL OR (length(country) = 2 AND country = upper(country)));

-- migration 14
-- Nothing changes in a file: on a server, this migration makes the fact-change triggers of
-- inserts count once per statement (SQLite's triggers are all per row). The version stays one
-- schema on both engines.

-- migration 15
-- Nothing changes in a file: on a server, the audit log is signed with the role the server
-- authenticated (a file has no roles; its writers are the OS users who may open it).

-- migration 16
-- The open check-ins of an account, without its done ones (most of them): a rep's queue reads
-- them account by account, and on a server the done ones were most of its first screen.
CREATE INDEX checkins_open_account ON checkins (account_id, due_date) WHERE done_at IS NULL;
