-- CityTwin audit log (written for this project): plan changes and rollbacks, scenario runs, replays and twin
-- deletions, numbered 1, 2, 3, ... Appends take the table lock SHARE ROW EXCLUSIVE (one writer at a time, readers
-- go on), number the entry after the last one and keep its time from going backwards. The table is append-only
-- in the database: a trigger refuses every UPDATE, DELETE and TRUNCATE, whoever sends it.

CREATE TABLE IF NOT EXISTS citytwin_audit
(
    seq      bigint      NOT NULL,
    time     timestamptz NOT NULL,
    who      text        NOT NULL,
    kind     text        NOT NULL,
    what     text        NOT NULL,
    why      text        NULL,
    evidence text        NULL,
    twin     text        NULL,
    CONSTRAINT citytwin_audit_pk PRIMARY KEY (seq),
    CONSTRAINT citytwin_audit_seq_ck CHECK (seq > 0)
);

CREATE INDEX IF NOT EXISTS citytwin_audit_time_ix ON citytwin_audit (time);

CREATE OR REPLACE FUNCTION citytwin_audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'citytwin_audit is append-only: % is refused (entries can only be added)', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'the audit log is never changed or emptied; see docs/security.md, Audit';
END;
$$;

DO
$$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'citytwin_audit_append_only' AND tgrelid = 'citytwin_audit'::regclass) THEN
        CREATE TRIGGER citytwin_audit_append_only
            BEFORE UPDATE OR DELETE OR TRUNCATE ON citytwin_audit
            FOR EACH STATEMENT EXECUTE FUNCTION citytwin_audit_refuse_change();
    END IF;
END;
$$;
