-- 0003: the SMS outbox shared by several nodes. One row per notification, keyed by its
-- idempotency key (an enqueue of a known key inserts nothing, so re-offering notifications after
-- a crash is harmless). A node claims due rows with FOR UPDATE SKIP LOCKED under a lease
-- (claimed_by, lease_until: the database's clock) and a fencing token that grows with every
-- claim; an outcome is recorded only while the token is still the one claimed.
CREATE TABLE outbox_messages (
    key             text        PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 500),
    -- Enqueue order, for delivering due messages oldest first.
    seq             bigint      GENERATED ALWAYS AS IDENTITY,
    channel         text        NOT NULL CHECK (channel IN ('sms')),
    -- The full number: personal data, stored only because delivery needs it.
    recipient       text        NOT NULL,
    body            text        NOT NULL,
    state           text        NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'sent', 'failed')),
    -- Attempts whose outcome was recorded.
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    -- The caller's clock (domain time): when enqueued and when the next attempt is due.
    enqueued_at     timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    -- The current claim: who, until when (the database's clock), and its fencing token.
    claimed_by      text        CHECK (length(claimed_by) BETWEEN 1 AND 200),
    lease_until     timestamptz,
    token           bigint      NOT NULL DEFAULT 0 CHECK (token >= 0),
    last_error      text,
    provider_id     text,
    segments        integer,
    sent_at         timestamptz,
    CHECK ((claimed_by IS NULL) = (lease_until IS NULL))
);

-- The claim's scan: pending rows by due time.
CREATE INDEX outbox_messages_due ON outbox_messages (next_attempt_at, seq) WHERE state = 'pending';
