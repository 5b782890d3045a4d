-- CityTwin schema bookkeeping (written for this project): which schema version this database holds.
CREATE TABLE IF NOT EXISTS citytwin_schema
(
    component  text        NOT NULL,
    version    integer     NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citytwin_schema_pk PRIMARY KEY (component)
);
