-- Bucket list and travel goals.

CREATE TABLE user_goals (
    id                  uuid          NOT NULL DEFAULT gen_random_uuid(),
    user_id             uuid          NOT NULL,
    trip_id             uuid,
    title               varchar(200)  NOT NULL,
    description         text,
    goal_type           varchar(20)   NOT NULL DEFAULT 'destination',
    target_destination  varchar(100),
    target_country      char(3),
    target_date         date,
    target_budget       numeric(12,2),
    currency            char(3)       NOT NULL DEFAULT 'USD',
    progress_percent    smallint      NOT NULL DEFAULT 0,
    priority            smallint      NOT NULL DEFAULT 3,
    status              varchar(20)   NOT NULL DEFAULT 'active',
    tags                text[]        NOT NULL DEFAULT '{}',
    achieved_at         timestamptz,
    created_at          timestamptz   NOT NULL DEFAULT now(),
    updated_at          timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT user_goals_pkey PRIMARY KEY (id),
    CONSTRAINT user_goals_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_goals_trip_id_fkey FOREIGN KEY (trip_id)
        REFERENCES trips (id) ON DELETE SET NULL,
    CONSTRAINT user_goals_type_chk
        CHECK (goal_type IN ('destination', 'experience', 'savings', 'milestone')),
    CONSTRAINT user_goals_status_chk CHECK (status IN ('active', 'achieved', 'abandoned')),
    CONSTRAINT user_goals_progress_chk CHECK (progress_percent BETWEEN 0 AND 100),
    CONSTRAINT user_goals_priority_chk CHECK (priority BETWEEN 1 AND 5),
    CONSTRAINT user_goals_budget_chk CHECK (target_budget IS NULL OR target_budget > 0),
    CONSTRAINT user_goals_currency_chk CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT user_goals_country_chk CHECK (target_country IS NULL OR target_country ~ '^[A-Z]{3}$'),
    CONSTRAINT user_goals_achieved_chk CHECK ((status = 'achieved') = (achieved_at IS NOT NULL))
);

CREATE INDEX user_goals_user_active_idx ON user_goals (user_id, priority, target_date)
    WHERE status = 'active';
CREATE INDEX user_goals_tags_gin ON user_goals USING gin (tags);

COMMENT ON TABLE user_goals IS 'Bucket-list items and travel goals with progress tracking.';
COMMENT ON COLUMN user_goals.trip_id IS 'Trip that fulfils (or is planned to fulfil) the goal.';
COMMENT ON COLUMN user_goals.tags IS 'Free-form labels, e.g. {food,beach,once-in-a-lifetime}.';
