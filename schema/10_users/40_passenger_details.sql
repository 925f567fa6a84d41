-- Saved traveller identities for fast checkout.

CREATE TABLE passenger_details (
    id                      uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id                 uuid         NOT NULL,
    relationship            varchar(20)  NOT NULL DEFAULT 'self',
    title                   varchar(10),
    first_name              varchar(100) NOT NULL,
    middle_name             varchar(100),
    last_name               varchar(100) NOT NULL,
    date_of_birth           date         NOT NULL,
    gender                  varchar(20),
    nationality             char(3),
    passport_number         varchar(50),
    passport_country        char(3),
    passport_expiry         date,
    known_traveler_number   varchar(30),
    redress_number          varchar(30),
    frequent_flyer_numbers  jsonb        NOT NULL DEFAULT '{}',
    special_assistance      jsonb        NOT NULL DEFAULT '[]',
    is_primary              boolean      NOT NULL DEFAULT false,
    created_at              timestamptz  NOT NULL DEFAULT now(),
    updated_at              timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT passenger_details_pkey PRIMARY KEY (id),
    CONSTRAINT passenger_details_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT passenger_details_relationship_chk
        CHECK (relationship IN ('self', 'spouse', 'partner', 'child', 'parent', 'friend', 'colleague', 'other')),
    CONSTRAINT passenger_details_nationality_chk
        CHECK (nationality IS NULL OR nationality ~ '^[A-Z]{3}$'),
    CONSTRAINT passenger_details_passport_country_chk
        CHECK (passport_country IS NULL OR passport_country ~ '^[A-Z]{3}$'),
    CONSTRAINT passenger_details_passport_expiry_chk
        CHECK (passport_expiry IS NULL OR passport_expiry > date_of_birth),
    CONSTRAINT passenger_details_passport_complete_chk
        CHECK (passport_number IS NULL OR (passport_country IS NOT NULL AND passport_expiry IS NOT NULL))
);

CREATE INDEX passenger_details_user_idx ON passenger_details (user_id, last_name, first_name);
-- At most one primary traveller per account.
CREATE UNIQUE INDEX passenger_details_one_primary_key ON passenger_details (user_id) WHERE is_primary;

COMMENT ON TABLE passenger_details IS 'Travellers saved by a user (self, family, colleagues) for reuse when booking.';
COMMENT ON COLUMN passenger_details.frequent_flyer_numbers IS 'JSON object: airline IATA code -> membership number.';
COMMENT ON COLUMN passenger_details.passport_number IS 'Sensitive: encrypted by the application before storage.';
COMMENT ON COLUMN passenger_details.is_primary IS 'The account holder''s own traveller record; at most one per user.';
