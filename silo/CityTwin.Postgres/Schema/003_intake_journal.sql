-- CityTwin durable sensor intake (written for this project).
-- Each entity (twin, entity) has a head: the last journal position and the intake's de-duplication windows,
-- and a journal of accepted batches at positions 1, 2, 3, ... An append moves the head from the position the
-- intake expects and inserts the batch in one statement, so a stale writer inserts nothing. The entity grain
-- deletes the entries its checkpoint already holds.

CREATE TABLE IF NOT EXISTS citytwin_intake_head
(
    twin       text        NOT NULL,
    entity     text        NOT NULL,
    position   bigint      NOT NULL,
    windows    bytea       NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citytwin_intake_head_pk PRIMARY KEY (twin, entity),
    CONSTRAINT citytwin_intake_head_position_ck CHECK (position >= 0)
);

CREATE TABLE IF NOT EXISTS citytwin_intake_journal
(
    twin       text        NOT NULL,
    entity     text        NOT NULL,
    position   bigint      NOT NULL,
    batch      bytea       NOT NULL,
    written_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citytwin_intake_journal_pk PRIMARY KEY (twin, entity, position),
    CONSTRAINT citytwin_intake_journal_position_ck CHECK (position > 0)
);
