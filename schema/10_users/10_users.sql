-- Accounts: identity and authentication.

CREATE TABLE users (
    id              uuid         NOT NULL DEFAULT gen_random_uuid(),
    email           varchar(255) NOT NULL,
    username        citext,
    password_hash   text,
    first_name      varchar(100),
    last_name       varchar(100),
    phone           varchar(20),
    email_verified  boolean      NOT NULL DEFAULT false,
    phone_verified  boolean      NOT NULL DEFAULT false,
    is_staff        boolean      NOT NULL DEFAULT false,
    status          varchar(20)  NOT NULL DEFAULT 'active',
    google_id       varchar(100),
    facebook_id     varchar(100),
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    last_login_at   timestamptz,

    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username),
    CONSTRAINT users_google_id_key UNIQUE (google_id),
    CONSTRAINT users_facebook_id_key UNIQUE (facebook_id),
    CONSTRAINT users_email_format_chk
        CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    CONSTRAINT users_username_format_chk
        CHECK (username IS NULL OR username ~ '^[A-Za-z0-9_.-]{3,150}$'),
    CONSTRAINT users_phone_format_chk
        CHECK (phone IS NULL OR phone ~ '^\+?[0-9 ()-]{6,20}$'),
    CONSTRAINT users_status_chk
        CHECK (status IN ('active', 'suspended', 'deleted')),
    CONSTRAINT users_credentials_chk
        CHECK (password_hash IS NOT NULL OR google_id IS NOT NULL OR facebook_id IS NOT NULL)
);

-- Email addresses are unique regardless of letter case.
CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email));

-- Most lookups filter on active accounts.
CREATE INDEX users_active_created_idx ON users (created_at DESC) WHERE status = 'active';

COMMENT ON TABLE users IS 'Platform accounts: identity, credentials and account status.';
COMMENT ON COLUMN users.email IS 'Login email; unique case-insensitively via users_email_lower_key.';
COMMENT ON COLUMN users.username IS 'Optional public handle, compared case-insensitively.';
COMMENT ON COLUMN users.password_hash IS 'Password hash (bcrypt/argon2); NULL for accounts that only sign in through OAuth.';
COMMENT ON COLUMN users.status IS 'active, suspended or deleted (soft delete).';
COMMENT ON COLUMN users.google_id IS 'Subject identifier from Google OAuth, if linked.';
COMMENT ON COLUMN users.facebook_id IS 'Subject identifier from Facebook OAuth, if linked.';
COMMENT ON INDEX users_email_lower_key IS 'Case-insensitive uniqueness of email addresses.';
