-- A tie without a key is identified by its kind and its ends, either way round for the
-- symmetric kinds (KNOWS, FAMILY, PARTNER_OF): the unique index below keeps a second such tie
-- out of the database, whoever writes it.
--
-- A database may already hold such ties more than once. None is deleted: the one created first
-- keeps the identity, and each later one gets the key 'duplicate-' || its id, so the network's
-- export imports again and the copies can be found by that key, compared and deleted.

UPDATE ties SET key = 'duplicate-' || id
WHERE id IN (
    SELECT id FROM (
        SELECT
            id,
            row_number() OVER (
                PARTITION BY
                    kind,
                    CASE WHEN kind IN ('KNOWS', 'FAMILY', 'PARTNER_OF')
                        THEN min(source_id, target_id) ELSE source_id END,
                    CASE WHEN kind IN ('KNOWS', 'FAMILY', 'PARTNER_OF')
                        THEN max(source_id, target_id) ELSE target_id END
                ORDER BY created_at, id
            ) AS copy
        FROM ties
        WHERE key IS NULL
    )
    WHERE copy > 1
);

CREATE UNIQUE INDEX ties_identity ON ties (
    kind,
    (CASE WHEN kind IN ('KNOWS', 'FAMILY', 'PARTNER_OF')
        THEN min(source_id, target_id) ELSE source_id END),
    (CASE WHEN kind IN ('KNOWS', 'FAMILY', 'PARTNER_OF')
        THEN max(source_id, target_id) ELSE target_id END)
) WHERE key IS NULL;
