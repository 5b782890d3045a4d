-- Cluster membership for the Orleans ADO.NET clustering provider (Microsoft.Orleans.Clustering.AdoNet),
-- written for CityTwin from the provider's contract: the provider looks its statements up by key in the table
-- OrleansQuery, binds named parameters (@DeploymentId = the cluster id, @Address, @Port, @Generation, ...) and
-- reads result columns by name. Every change of a member row raises the cluster's table version by one, and only
-- when the caller read the version it names (@Version): that is the provider's optimistic concurrency.
-- Heartbeats (IAmAliveTime) do not change the version.

CREATE TABLE IF NOT EXISTS OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,
    CONSTRAINT orleansquery_pk PRIMARY KEY (QueryKey)
);

CREATE TABLE IF NOT EXISTS citytwin_membership_version
(
    deployment_id text        NOT NULL,
    version       integer     NOT NULL DEFAULT 0,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citytwin_membership_version_pk PRIMARY KEY (deployment_id),
    CONSTRAINT citytwin_membership_version_ck CHECK (version >= 0)
);

CREATE TABLE IF NOT EXISTS citytwin_membership
(
    deployment_id   text        NOT NULL,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NULL,
    suspect_times   text        NULL,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    CONSTRAINT citytwin_membership_pk PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT citytwin_membership_version_fk FOREIGN KEY (deployment_id)
        REFERENCES citytwin_membership_version (deployment_id) ON DELETE CASCADE
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- The cluster's version row, created at 0 when a silo of a new cluster starts; true when it was created.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO citytwin_membership_version (deployment_id, version) VALUES (@DeploymentId, 0)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT count(*)::integer FROM created
$q$),

-- A silo joins: its row is added only if the version is still the one read and the row is new; 1 when done.
('InsertMembershipKey', $q$
WITH bumped AS (
    UPDATE citytwin_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
      AND NOT EXISTS (SELECT 1 FROM citytwin_membership
                      WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id),
added AS (
    INSERT INTO citytwin_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port, start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, @SiloName, @HostName, @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM bumped
    RETURNING 1)
SELECT count(*)::integer FROM added
$q$),

-- A silo's status or suspicions change: only if the version is still the one read and the row exists; 1 when done.
('UpdateMembershipKey', $q$
WITH bumped AS (
    UPDATE citytwin_membership_version
    SET version = version + 1, changed_at = now()
    WHERE deployment_id = @DeploymentId AND version = @Version
      AND EXISTS (SELECT 1 FROM citytwin_membership
                  WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation)
    RETURNING deployment_id),
changed AS (
    UPDATE citytwin_membership m
    SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM bumped
    WHERE m.deployment_id = bumped.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT count(*)::integer FROM changed
$q$),

-- Heartbeat: the version is left alone.
('UpdateIAmAlivetimeKey', $q$
UPDATE citytwin_membership
SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- One silo's row with the cluster's version (the version alone, member columns NULL, when there is no such row).
('MembershipReadRowKey', $q$
SELECT v.version AS Version,
       m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,
       m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
       m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime
FROM citytwin_membership_version v
LEFT JOIN citytwin_membership m
       ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),

-- Every silo's row, each with the cluster's version (at least the version row).
('MembershipReadAllKey', $q$
SELECT v.version AS Version,
       m.address AS Address, m.port AS Port, m.generation AS Generation, m.silo_name AS SiloName,
       m.host_name AS HostName, m.status AS Status, m.proxy_port AS ProxyPort, m.suspect_times AS SuspectTimes,
       m.start_time AS StartTime, m.i_am_alive_time AS IAmAliveTime
FROM citytwin_membership_version v
LEFT JOIN citytwin_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),

-- The gateways clients may use: silos with the given status (active) that have a gateway port.
('GatewaysQueryKey', $q$
SELECT address AS Address, proxy_port AS ProxyPort, generation AS Generation
FROM citytwin_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Forget a cluster entirely.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM citytwin_membership WHERE deployment_id = @DeploymentId;
DELETE FROM citytwin_membership_version WHERE deployment_id = @DeploymentId
$q$),

-- Remove rows of silos that stopped sending heartbeats before the cut-off and are not active.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM citytwin_membership
WHERE deployment_id = @DeploymentId AND i_am_alive_time < @IAmAliveTime AND status <> 3
$q$),

-- Remove one dead silo's row, only if it is still exactly as the provider read it.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM citytwin_membership
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
  AND status = 6 AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
  AND suspect_times IS NOT DISTINCT FROM @SuspectTimes
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
