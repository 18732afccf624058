-- 0002: tracking-number counters shared by every node: the last sequence number handed out per
-- (province plate, year). A node takes the next number with one
-- INSERT .. ON CONFLICT DO UPDATE .. RETURNING: the row lock serialises two nodes asking at
-- once, so no number is given twice; a number handed out whose application never became
-- durable is a gap, never reused. Gaps are allowed.
CREATE TABLE tracking_counters (
    plate      smallint    NOT NULL CHECK (plate BETWEEN 1 AND 81),
    year       smallint    NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last       integer     NOT NULL CHECK (last BETWEEN 0 AND 9999999),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plate, year)
);
