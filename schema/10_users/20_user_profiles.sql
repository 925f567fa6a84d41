-- Travel preferences and contact settings (one row per user each).

CREATE TABLE user_profiles (
    id                          uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id                     uuid        NOT NULL,
    preferred_cabin_class       varchar(20),
    preferred_airlines          jsonb       NOT NULL DEFAULT '[]',
    preferred_airports          jsonb       NOT NULL DEFAULT '[]',
    preferred_hotel_chains      jsonb       NOT NULL DEFAULT '[]',
    seat_preference             varchar(20) NOT NULL DEFAULT 'no_preference',
    meal_preference             varchar(50) NOT NULL DEFAULT 'no_preference',
    accessibility_requirements  jsonb       NOT NULL DEFAULT '[]',
    dietary_restrictions        jsonb       NOT NULL DEFAULT '[]',
    loyalty_programs            jsonb       NOT NULL DEFAULT '{}',
    preferred_language          varchar(10) NOT NULL DEFAULT 'en',
    timezone                    varchar(50) NOT NULL DEFAULT 'UTC',
    date_of_birth               date,
    gender                      varchar(20),
    nationality                 char(3),
    passport_number             varchar(50),
    passport_expiry             date,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT user_profiles_pkey PRIMARY KEY (id),
    CONSTRAINT user_profiles_user_id_key UNIQUE (user_id),
    -- Deferred so that sign-up can write the profile and the account in either order
    -- inside one transaction.
    CONSTRAINT user_profiles_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE
        DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT user_profiles_cabin_class_chk
        CHECK (preferred_cabin_class IS NULL
               OR preferred_cabin_class IN ('economy', 'premium_economy', 'business', 'first')),
    CONSTRAINT user_profiles_seat_chk
        CHECK (seat_preference IN ('window', 'aisle', 'middle', 'no_preference')),
    CONSTRAINT user_profiles_meal_chk
        CHECK (meal_preference IN ('standard', 'vegetarian', 'vegan', 'kosher', 'halal',
                                   'gluten_free', 'no_preference')),
    CONSTRAINT user_profiles_airlines_array_chk CHECK (jsonb_typeof(preferred_airlines) = 'array'),
    CONSTRAINT user_profiles_airports_array_chk CHECK (jsonb_typeof(preferred_airports) = 'array'),
    CONSTRAINT user_profiles_hotels_array_chk CHECK (jsonb_typeof(preferred_hotel_chains) = 'array'),
    CONSTRAINT user_profiles_loyalty_object_chk CHECK (jsonb_typeof(loyalty_programs) = 'object'),
    CONSTRAINT user_profiles_nationality_chk CHECK (nationality IS NULL OR nationality ~ '^[A-Z]{3}$'),
    CONSTRAINT user_profiles_dob_chk CHECK (date_of_birth IS NULL OR date_of_birth > DATE '1900-01-01')
);

CREATE INDEX user_profiles_preferred_airlines_gin ON user_profiles USING gin (preferred_airlines);
CREATE INDEX user_profiles_loyalty_programs_gin ON user_profiles USING gin (loyalty_programs jsonb_path_ops);

COMMENT ON TABLE user_profiles IS 'Customer 360 travel preferences, accessibility needs, loyalty programs and travel documents.';
COMMENT ON COLUMN user_profiles.preferred_airlines IS 'JSON array of IATA airline codes, e.g. ["UA","DL"].';
COMMENT ON COLUMN user_profiles.preferred_airports IS 'JSON array of IATA airport codes.';
COMMENT ON COLUMN user_profiles.loyalty_programs IS 'JSON object keyed by provider: {"UA": {"program": "MileagePlus", "number": "..."}}.';
COMMENT ON COLUMN user_profiles.nationality IS 'ISO 3166-1 alpha-3 country code.';
COMMENT ON COLUMN user_profiles.passport_number IS 'Sensitive: encrypted by the application before storage.';


CREATE TABLE user_communication_preferences (
    id                      uuid        NOT NULL DEFAULT gen_random_uuid(),
    user_id                 uuid        NOT NULL,
    email_transactional     boolean     NOT NULL DEFAULT true,
    email_marketing         boolean     NOT NULL DEFAULT false,
    sms_enabled             boolean     NOT NULL DEFAULT false,
    push_enabled            boolean     NOT NULL DEFAULT true,
    price_alert_frequency   varchar(10) NOT NULL DEFAULT 'instant',
    quiet_hours_start       time,
    quiet_hours_end         time,
    channel_overrides       jsonb       NOT NULL DEFAULT '{}',
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT user_communication_preferences_pkey PRIMARY KEY (id),
    CONSTRAINT user_communication_preferences_user_id_key UNIQUE (user_id),
    CONSTRAINT user_communication_preferences_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_communication_preferences_frequency_chk
        CHECK (price_alert_frequency IN ('instant', 'daily', 'weekly', 'never')),
    CONSTRAINT user_communication_preferences_quiet_hours_chk
        CHECK ((quiet_hours_start IS NULL) = (quiet_hours_end IS NULL))
);

COMMENT ON TABLE user_communication_preferences IS 'Per-user notification channels, price alert cadence and quiet hours.';
COMMENT ON COLUMN user_communication_preferences.channel_overrides IS 'Per notification type overrides, e.g. {"flight_delay": {"sms": true}}.';
COMMENT ON COLUMN user_communication_preferences.quiet_hours_start IS 'Start of the daily window (user local time) in which no push/SMS is sent; may wrap past midnight.';
