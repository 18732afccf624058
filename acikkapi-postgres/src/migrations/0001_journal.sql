-- 0001: the journal. One ordered stream of records per partition (`stream`), gapless positions
-- from 1, and one latest snapshot per stream bound to the records it was made from.
CREATE TABLE journal_records (
    stream       text        NOT NULL CHECK (length(stream) BETWEEN 1 AND 200),
    position     bigint      NOT NULL CHECK (position >= 1),
    payload      bytea       NOT NULL,
    -- CRC-32 (IEEE) of the position (8 bytes LE) followed by the payload, as a signed int4.
    crc          integer     NOT NULL,
    -- The last record of its append (a batch is one transaction; kept for copying to a file
    -- journal, whose records carry the same mark).
    batch_end    boolean     NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now(),
    -- The primary key is what makes a conditional append safe: two writers expecting the same
    -- position insert the same (stream, position) and the second one fails.
    PRIMARY KEY (stream, position)
);

CREATE TABLE journal_snapshots (
    stream     text        PRIMARY KEY CHECK (length(stream) BETWEEN 1 AND 200),
    -- The last record the snapshot covers (0: none).
    position   bigint      NOT NULL CHECK (position >= 0),
    -- Running digest of records 1..=position, as in the file journal's snapshots.
    digest     integer     NOT NULL,
    data       bytea       NOT NULL,
    -- CRC-32 of the data, as a signed int4.
    crc        integer     NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now()
);
