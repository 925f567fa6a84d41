-- Itinerary plans and their structured activities.

CREATE TABLE plans (
    id           uuid          NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid          NOT NULL,
    trip_id      uuid,
    title        varchar(200)  NOT NULL,
    description  text,
    destination  varchar(100),
    start_date   date,
    end_date     date,
    budget       numeric(12,2),
    currency     char(3)       NOT NULL DEFAULT 'USD',
    status       varchar(20)   NOT NULL DEFAULT 'draft',
    plan_data    jsonb         NOT NULL DEFAULT '{}',
    is_public    boolean       NOT NULL DEFAULT false,
    share_token  varchar(64)   COLLATE "C",
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT plans_pkey PRIMARY KEY (id),
    CONSTRAINT plans_share_token_key UNIQUE (share_token),
    CONSTRAINT plans_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT plans_trip_id_fkey FOREIGN KEY (trip_id)
        REFERENCES trips (id) ON DELETE SET NULL,
    CONSTRAINT plans_status_chk CHECK (status IN ('draft', 'published', 'archived')),
    CONSTRAINT plans_dates_chk
        CHECK (start_date IS NULL OR end_date IS NULL OR end_date >= start_date),
    CONSTRAINT plans_budget_chk CHECK (budget IS NULL OR budget > 0),
    CONSTRAINT plans_currency_chk CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT plans_data_object_chk CHECK (jsonb_typeof(plan_data) = 'object')
);

CREATE INDEX plans_user_updated_idx ON plans (user_id, updated_at DESC);
CREATE INDEX plans_trip_idx ON plans (trip_id) WHERE trip_id IS NOT NULL;
CREATE INDEX plans_status_idx ON plans (status);
CREATE INDEX plans_public_idx ON plans (updated_at DESC) WHERE is_public AND status = 'published';
CREATE INDEX plans_data_gin ON plans USING gin (plan_data);

COMMENT ON TABLE plans IS 'Day-by-day itinerary drafted by a user or the trip-planning agent, optionally linked to a trip.';
COMMENT ON COLUMN plans.plan_data IS 'Free-form plan document: preferences, accommodation, transportation, itinerary[], notes, external_bookings.';
COMMENT ON COLUMN plans.share_token IS 'Random token for read-only sharing links; NULL when not shared.';


CREATE TABLE plan_activities (
    id                uuid          NOT NULL DEFAULT gen_random_uuid(),
    plan_id           uuid          NOT NULL,
    title             varchar(200)  NOT NULL,
    description       text,
    activity_type     varchar(20)   NOT NULL DEFAULT 'other',
    location_name     varchar(200),
    address           text,
    latitude          numeric(10,8),
    longitude         numeric(11,8),
    scheduled_date    date,
    start_time        time,
    end_time          time,
    duration_minutes  integer,
    estimated_cost    numeric(12,2),
    actual_cost       numeric(12,2),
    order_index       integer       NOT NULL DEFAULT 0,
    is_completed      boolean       NOT NULL DEFAULT false,
    metadata          jsonb         NOT NULL DEFAULT '{}',
    created_at        timestamptz   NOT NULL DEFAULT now(),
    updated_at        timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT plan_activities_pkey PRIMARY KEY (id),
    CONSTRAINT plan_activities_plan_id_fkey FOREIGN KEY (plan_id)
        REFERENCES plans (id) ON DELETE CASCADE,
    -- Deferred so activities can be reordered (positions swapped) in one transaction.
    CONSTRAINT plan_activities_order_key UNIQUE (plan_id, scheduled_date, order_index)
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT plan_activities_type_chk
        CHECK (activity_type IN ('accommodation', 'transport', 'attraction', 'restaurant',
                                 'tour', 'event', 'shopping', 'other')),
    CONSTRAINT plan_activities_latitude_chk CHECK (latitude IS NULL OR latitude BETWEEN -90 AND 90),
    CONSTRAINT plan_activities_longitude_chk CHECK (longitude IS NULL OR longitude BETWEEN -180 AND 180),
    CONSTRAINT plan_activities_coordinates_chk CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT plan_activities_times_chk
        CHECK (start_time IS NULL OR end_time IS NULL OR end_time > start_time),
    CONSTRAINT plan_activities_duration_chk CHECK (duration_minutes IS NULL OR duration_minutes > 0),
    CONSTRAINT plan_activities_estimated_cost_chk CHECK (estimated_cost IS NULL OR estimated_cost >= 0),
    CONSTRAINT plan_activities_actual_cost_chk CHECK (actual_cost IS NULL OR actual_cost >= 0),
    CONSTRAINT plan_activities_order_chk CHECK (order_index >= 0)
);

CREATE INDEX plan_activities_type_idx ON plan_activities (activity_type);
CREATE INDEX plan_activities_location_idx ON plan_activities (latitude, longitude)
    WHERE latitude IS NOT NULL;
CREATE INDEX plan_activities_metadata_gin ON plan_activities USING gin (metadata jsonb_path_ops);

COMMENT ON TABLE plan_activities IS 'Structured activities of a plan (accommodation, transport, attractions, meals), ordered per day.';
COMMENT ON COLUMN plan_activities.order_index IS 'Position within the day; unique per (plan, day), checked at commit.';
COMMENT ON COLUMN plan_activities.metadata IS 'booking_info, contact_info, reviews and tags of the activity.';
