-- CityTwin cluster secret (written for this project): one random value per cluster id, the same for every silo of
-- that cluster. Each silo puts it in the request context of every grain call it makes inside the cluster, and takes
-- a call for one of the cluster's own only when it carries it; every other call is checked as a cluster client's
-- (docs/security.md, "Cluster clients"). The first silo of a cluster to start adds its row; CityTwin never changes
-- it. To replace it: stop every silo of the cluster, delete the row, start them again.

CREATE TABLE IF NOT EXISTS citytwin_cluster_secret
(
    cluster_id text        NOT NULL,
    secret     text        NOT NULL,
    created    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citytwin_cluster_secret_pk PRIMARY KEY (cluster_id)
);
