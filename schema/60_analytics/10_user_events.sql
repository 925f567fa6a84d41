-- Append-only clickstream for Customer 360 intelligence.

CREATE TABLE user_events (
    id              uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id         uuid         NOT NULL,
    trip_id         uuid,
    event_type      varchar(50)  NOT NULL,
    event_category  varchar(20),
    event_data      jsonb        NOT NULL DEFAULT '{}',
    session_id      varchar(100) COLLATE "C",
    device_type     varchar(20),
    user_agent      text,
    ip_address      inet,
    created_at      timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT user_events_pkey PRIMARY KEY (id),
    CONSTRAINT user_events_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_events_trip_id_fkey FOREIGN KEY (trip_id)
        REFERENCES trips (id) ON DELETE SET NULL,
    CONSTRAINT user_events_type_chk
        CHECK (event_type IN ('search', 'view', 'click', 'book', 'cancel', 'review', 'share',
                              'favorite', 'login', 'logout')),
    CONSTRAINT user_events_category_chk
        CHECK (event_category IS NULL
               OR event_category IN ('flight', 'hotel', 'activity', 'destination', 'car_rental', 'account')),
    CONSTRAINT user_events_device_type_chk
        CHECK (device_type IS NULL OR device_type IN ('desktop', 'mobile', 'tablet', 'other'))
);

-- Rows arrive in time order and are never updated: BRIN is tiny and effective.
CREATE INDEX user_events_created_brin ON user_events USING brin (created_at);
CREATE INDEX user_events_user_created_idx ON user_events (user_id, created_at DESC);
CREATE INDEX user_events_type_category_idx ON user_events (event_type, event_category);
CREATE INDEX user_events_session_idx ON user_events (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX user_events_data_gin ON user_events USING gin (event_data jsonb_path_ops);

COMMENT ON TABLE user_events IS 'Append-only behavioural events (search, view, click, book, ...) used for personalisation.';
COMMENT ON COLUMN user_events.event_data IS 'Event payload, e.g. search {origin, destination, dates, passengers}; view {item_type, item_id, duration_seconds}; book {booking_id, amount, currency}.';
COMMENT ON COLUMN user_events.session_id IS 'Client-side analytics session identifier (not a user_sessions id).';
COMMENT ON INDEX user_events_created_brin IS 'Block-range index for time-window scans of the append-only event stream.';
