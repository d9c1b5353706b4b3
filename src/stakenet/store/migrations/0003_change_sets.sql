-- The change log as one row per revision instead of one row per entity.
-- A bulk import of 100k ties wrote 100k change rows, each with its own JSON payload; now it
-- writes one row whose `changes` is a JSON array of runs [entity_type, op, items]: the rows of
-- the entities upserted, or the ids of those deleted (see store/sqlite.py). Each row of the
-- old log becomes a run of one item: its payload object, or its id for a delete.

CREATE TABLE change_sets (
    revision INTEGER PRIMARY KEY,
    changes TEXT NOT NULL
);

INSERT INTO change_sets (revision, changes)
SELECT revision, state FROM (
    SELECT
        seq,
        revision,
        max(seq) OVER per_revision AS last_seq,
        json_group_array(
            json_array(entity_type, op, json_array(coalesce(json(payload), entity_id)))
        )
            OVER per_revision AS state
    FROM changes
    WINDOW per_revision AS (
        PARTITION BY revision ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
    )
)
WHERE seq = last_seq;

DROP TABLE changes;
