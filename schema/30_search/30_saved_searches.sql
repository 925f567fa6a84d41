-- Searches a user saved for reuse.

CREATE TABLE saved_searches (
    id                 uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id            uuid         NOT NULL,
    name               varchar(100) NOT NULL,
    search_type        varchar(20)  NOT NULL,
    search_params      jsonb        NOT NULL,
    notify_on_changes  boolean      NOT NULL DEFAULT false,
    run_count          integer      NOT NULL DEFAULT 0,
    last_run_at        timestamptz,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT saved_searches_pkey PRIMARY KEY (id),
    CONSTRAINT saved_searches_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT saved_searches_user_name_key UNIQUE (user_id, name),
    CONSTRAINT saved_searches_type_chk
        CHECK (search_type IN ('flight', 'hotel', 'activity', 'car_rental', 'package')),
    CONSTRAINT saved_searches_params_object_chk CHECK (jsonb_typeof(search_params) = 'object'),
    CONSTRAINT saved_searches_run_count_chk CHECK (run_count >= 0)
);

CREATE INDEX saved_searches_params_gin ON saved_searches USING gin (search_params jsonb_path_ops);
CREATE INDEX saved_searches_notify_idx ON saved_searches (search_type, last_run_at)
    WHERE notify_on_changes;

COMMENT ON TABLE saved_searches IS 'Named search criteria a user can rerun, optionally with change notifications.';
COMMENT ON COLUMN saved_searches.search_params IS 'Search criteria, e.g. {"origin": "JFK", "destination": "NRT", "dates": {...}, "passengers": 2}.';
