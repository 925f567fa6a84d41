-- One row per flight search, including anonymous ones.

CREATE TABLE search_analytics (
    id                  bigint       GENERATED ALWAYS AS IDENTITY,
    user_id             uuid,
    origin_code         char(3)      COLLATE "C" NOT NULL,
    destination_code    char(3)      COLLATE "C" NOT NULL,
    departure_date      date,
    return_date         date,
    passenger_count     smallint     NOT NULL DEFAULT 1,
    cabin_class         varchar(20)  NOT NULL DEFAULT 'economy',
    results_count       integer,
    search_duration_ms  integer,
    cache_hit           boolean      NOT NULL DEFAULT false,
    created_at          timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT search_analytics_pkey PRIMARY KEY (id),
    -- Keep the aggregate when an account is deleted, but not the link to it.
    CONSTRAINT search_analytics_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT search_analytics_origin_chk CHECK (origin_code ~ '^[A-Z]{3}$'),
    CONSTRAINT search_analytics_destination_chk CHECK (destination_code ~ '^[A-Z]{3}$'),
    CONSTRAINT search_analytics_dates_chk
        CHECK (return_date IS NULL OR departure_date IS NULL OR return_date >= departure_date),
    CONSTRAINT search_analytics_passengers_chk CHECK (passenger_count BETWEEN 1 AND 9),
    CONSTRAINT search_analytics_cabin_chk
        CHECK (cabin_class IN ('economy', 'premium_economy', 'business', 'first')),
    CONSTRAINT search_analytics_results_chk CHECK (results_count IS NULL OR results_count >= 0),
    CONSTRAINT search_analytics_duration_chk CHECK (search_duration_ms IS NULL OR search_duration_ms >= 0)
);

CREATE INDEX search_analytics_user_idx ON search_analytics (user_id, created_at DESC)
    WHERE user_id IS NOT NULL;
-- Popular routes over a time window.
CREATE INDEX search_analytics_route_idx ON search_analytics (origin_code, destination_code, created_at);
CREATE INDEX search_analytics_created_brin ON search_analytics USING brin (created_at);

COMMENT ON TABLE search_analytics IS 'Flight search log for popular-route, conversion and latency reporting.';
COMMENT ON COLUMN search_analytics.id IS 'Monotonic identity; rows are append-only.';
COMMENT ON COLUMN search_analytics.user_id IS 'Searching user; NULL for anonymous searches and for deleted accounts.';
