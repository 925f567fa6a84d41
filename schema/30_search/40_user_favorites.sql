-- Favourite destinations, airlines, hotels, airports and activities.

CREATE TABLE user_favorites (
    id             uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id        uuid         NOT NULL,
    favorite_type  varchar(20)  NOT NULL,
    item_code      varchar(100) NOT NULL,
    item_name      varchar(255) NOT NULL,
    notes          text,
    metadata       jsonb        NOT NULL DEFAULT '{}',
    created_at     timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT user_favorites_pkey PRIMARY KEY (id),
    CONSTRAINT user_favorites_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_favorites_item_key UNIQUE (user_id, favorite_type, item_code),
    CONSTRAINT user_favorites_type_chk
        CHECK (favorite_type IN ('destination', 'airline', 'hotel', 'airport', 'activity'))
);

-- Popularity counts across users ("most favourited hotels").
CREATE INDEX user_favorites_item_idx ON user_favorites (favorite_type, item_code);

COMMENT ON TABLE user_favorites IS 'Items a user marked as favourite; used for personalisation and recommendations.';
COMMENT ON COLUMN user_favorites.item_code IS 'Stable identifier of the item: IATA code, hotel property id, destination slug.';
