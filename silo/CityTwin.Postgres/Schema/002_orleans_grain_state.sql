-- Grain state for the Orleans ADO.NET grain storage provider (Microsoft.Orleans.Persistence.AdoNet), written for
-- CityTwin from the provider's contract. A state is identified by the service id, the state's name
-- (@GrainTypeString) and the grain key (@GrainIdN0, @GrainIdN1 and @GrainIdExtensionString, which holds a string
-- key). The provider's hashes are not needed: the primary key is the full identity. Each write raises the row's
-- version; a write naming a version that is no longer current returns no row, which the provider reports as an
-- inconsistent state (another activation wrote first).

CREATE TABLE IF NOT EXISTS citytwin_grain_state
(
    service_id  text        NOT NULL,
    state_name  text        NOT NULL,
    key_n0      bigint      NOT NULL,
    key_n1      bigint      NOT NULL,
    key_string  text        NOT NULL,
    payload     bytea       NULL,
    version     integer     NOT NULL,
    modified_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT citytwin_grain_state_pk PRIMARY KEY (service_id, state_name, key_n0, key_n1, key_string)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- The state and its version; no row for a state never written, a NULL payload for a cleared one.
('ReadFromStorageKey', $q$
SELECT payload AS PayloadBinary, version AS Version
FROM citytwin_grain_state
WHERE service_id = @ServiceId AND state_name = @GrainTypeString
  AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '')
$q$),

-- First write (no version known): insert at version 1. Later writes: only from the current version, raising it.
-- The new version comes back; no row means the caller's version was stale.
('WriteToStorageKey', $q$
WITH changed AS (
    UPDATE citytwin_grain_state
    SET payload = @PayloadBinary, version = version + 1, modified_at = now()
    WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
      AND service_id = @ServiceId AND state_name = @GrainTypeString
      AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '')
    RETURNING version),
created AS (
    INSERT INTO citytwin_grain_state (service_id, state_name, key_n0, key_n1, key_string, payload, version)
    SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, coalesce(@GrainIdExtensionString, ''), @PayloadBinary, 1
    WHERE @GrainStateVersion IS NULL
    ON CONFLICT ON CONSTRAINT citytwin_grain_state_pk DO NOTHING
    RETURNING version)
SELECT version AS NewGrainStateVersion FROM changed
UNION ALL
SELECT version FROM created
$q$),

-- Clear: the payload goes, the row stays with a raised version so that later writes keep their order.
('ClearStorageKey', $q$
UPDATE citytwin_grain_state
SET payload = NULL, version = version + 1, modified_at = now()
WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
  AND service_id = @ServiceId AND state_name = @GrainTypeString
  AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '')
RETURNING version
$q$),

-- Delete (when the provider is set to delete on clear): the row goes; the old version + 1 comes back.
('DeleteStorageKey', $q$
DELETE FROM citytwin_grain_state
WHERE @GrainStateVersion IS NOT NULL AND version = @GrainStateVersion
  AND service_id = @ServiceId AND state_name = @GrainTypeString
  AND key_n0 = @GrainIdN0 AND key_n1 = @GrainIdN1 AND key_string = coalesce(@GrainIdExtensionString, '')
RETURNING version + 1
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = excluded.QueryText;
