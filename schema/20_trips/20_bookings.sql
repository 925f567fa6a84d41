-- Bookings made with suppliers (flights, hotels, activities, cars) and their outcomes.

CREATE TABLE bookings (
    id                     uuid          NOT NULL DEFAULT gen_random_uuid(),
    user_id                uuid          NOT NULL,
    trip_id                uuid,
    booking_type           varchar(20)   NOT NULL,
    status                 varchar(20)   NOT NULL DEFAULT 'pending',
    confirmation_code      varchar(20)   COLLATE "C",
    supplier_name          varchar(255),
    supplier_reference     varchar(100),
    supplier_item_code     varchar(100),
    booking_details        jsonb         NOT NULL,
    passengers             jsonb         NOT NULL DEFAULT '[]',
    service_start_at       timestamptz,
    service_end_at         timestamptz,
    base_amount            numeric(12,2) NOT NULL,
    taxes_amount           numeric(12,2) NOT NULL DEFAULT 0,
    fees_amount            numeric(12,2) NOT NULL DEFAULT 0,
    total_amount           numeric(12,2) GENERATED ALWAYS AS (base_amount + taxes_amount + fees_amount) STORED,
    currency               char(3)       NOT NULL DEFAULT 'USD',
    payment_status         varchar(20)   NOT NULL DEFAULT 'pending',
    cancellable            boolean       NOT NULL DEFAULT true,
    cancellation_deadline  timestamptz,
    cancellation_fee       numeric(12,2),
    booked_at              timestamptz   NOT NULL DEFAULT now(),
    cancelled_at           timestamptz,
    created_at             timestamptz   NOT NULL DEFAULT now(),
    updated_at             timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT bookings_pkey PRIMARY KEY (id),
    CONSTRAINT bookings_confirmation_code_key UNIQUE (confirmation_code),
    CONSTRAINT bookings_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT bookings_trip_id_fkey FOREIGN KEY (trip_id)
        REFERENCES trips (id) ON DELETE CASCADE,
    CONSTRAINT bookings_type_chk
        CHECK (booking_type IN ('flight', 'hotel', 'activity', 'car_rental', 'train', 'transfer')),
    CONSTRAINT bookings_status_chk
        CHECK (status IN ('pending', 'confirmed', 'cancelled', 'completed', 'failed')),
    CONSTRAINT bookings_payment_status_chk
        CHECK (payment_status IN ('pending', 'authorized', 'paid', 'refunded', 'partially_refunded', 'failed')),
    CONSTRAINT bookings_base_amount_chk CHECK (base_amount > 0),
    CONSTRAINT bookings_taxes_amount_chk CHECK (taxes_amount >= 0),
    CONSTRAINT bookings_fees_amount_chk CHECK (fees_amount >= 0),
    CONSTRAINT bookings_cancellation_fee_chk
        CHECK (cancellation_fee IS NULL OR cancellation_fee >= 0),
    CONSTRAINT bookings_currency_chk CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT bookings_service_period_chk
        CHECK (service_end_at IS NULL OR service_start_at IS NULL OR service_end_at >= service_start_at),
    CONSTRAINT bookings_confirmed_code_chk
        CHECK (status NOT IN ('confirmed', 'completed') OR confirmation_code IS NOT NULL),
    CONSTRAINT bookings_cancelled_at_chk
        CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CONSTRAINT bookings_details_object_chk CHECK (jsonb_typeof(booking_details) = 'object')
);

-- "My bookings" listing served from the index alone.
CREATE INDEX bookings_user_created_idx ON bookings (user_id, created_at DESC)
    INCLUDE (status, booking_type, total_amount, currency);
CREATE INDEX bookings_trip_idx ON bookings (trip_id) WHERE trip_id IS NOT NULL;
CREATE INDEX bookings_type_status_idx ON bookings (booking_type, status);
-- Work queue of bookings still waiting for supplier confirmation.
CREATE INDEX bookings_pending_idx ON bookings (created_at) WHERE status = 'pending';
-- Hotel aggregates (social proof) group by the supplier's property code.
CREATE INDEX bookings_hotel_item_idx ON bookings (supplier_item_code)
    WHERE booking_type = 'hotel' AND supplier_item_code IS NOT NULL;
CREATE INDEX bookings_details_gin ON bookings USING gin (booking_details jsonb_path_ops);

COMMENT ON TABLE bookings IS 'A reservation with a supplier: flight, hotel, activity, car rental, train or transfer.';
COMMENT ON COLUMN bookings.trip_id IS 'Trip the booking belongs to; standalone bookings have none.';
COMMENT ON COLUMN bookings.confirmation_code IS 'Platform confirmation code shown to the customer; required once confirmed.';
COMMENT ON COLUMN bookings.supplier_reference IS 'Supplier-side reference (PNR, hotel confirmation number, ...).';
COMMENT ON COLUMN bookings.supplier_item_code IS 'Supplier identifier of the booked item: hotel property id, flight number, activity id.';
COMMENT ON COLUMN bookings.booking_details IS 'Type-specific details, e.g. flight {origin, destination, departure_time, airline, flight_number, seats}; hotel {hotel_name, check_in, check_out, room_type, guests}.';
COMMENT ON COLUMN bookings.passengers IS 'Snapshot of the travellers on the booking at the time it was made.';
COMMENT ON COLUMN bookings.total_amount IS 'base_amount + taxes_amount + fees_amount, maintained by PostgreSQL.';


CREATE TABLE booking_outcomes (
    id              uuid        NOT NULL DEFAULT gen_random_uuid(),
    booking_id      uuid        NOT NULL,
    user_id         uuid        NOT NULL,
    overall_rating  smallint    NOT NULL,
    ratings         jsonb       NOT NULL DEFAULT '{}',
    would_rebook    boolean,
    review_text     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT booking_outcomes_pkey PRIMARY KEY (id),
    CONSTRAINT booking_outcomes_booking_id_key UNIQUE (booking_id),
    CONSTRAINT booking_outcomes_booking_id_fkey FOREIGN KEY (booking_id)
        REFERENCES bookings (id) ON DELETE CASCADE,
    CONSTRAINT booking_outcomes_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT booking_outcomes_rating_chk CHECK (overall_rating BETWEEN 1 AND 5),
    CONSTRAINT booking_outcomes_ratings_object_chk CHECK (jsonb_typeof(ratings) = 'object')
);

CREATE INDEX booking_outcomes_user_idx ON booking_outcomes (user_id);
CREATE INDEX booking_outcomes_ratings_gin ON booking_outcomes USING gin (ratings);

COMMENT ON TABLE booking_outcomes IS 'Post-trip rating of a booking by the traveller; feeds satisfaction analytics and social proof.';
COMMENT ON COLUMN booking_outcomes.ratings IS 'Per-aspect scores, e.g. {"cleanliness": 5, "location": 4, "service": 5}.';
COMMENT ON COLUMN booking_outcomes.would_rebook IS 'Whether the traveller would book the same item again.';
