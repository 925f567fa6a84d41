-- Outgoing notifications (email, SMS, push) and in-app inbox.

CREATE TABLE notifications (
    id                 uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id            uuid         NOT NULL,
    trip_id            uuid,
    booking_id         uuid,
    notification_type  varchar(50)  NOT NULL,
    priority           varchar(10)  NOT NULL DEFAULT 'normal',
    title              varchar(255) NOT NULL,
    message            text         NOT NULL,
    action_url         varchar(500),
    channels           jsonb        NOT NULL DEFAULT '{"push": true}',
    delivery_status    jsonb        NOT NULL DEFAULT '{}',
    status             varchar(20)  NOT NULL DEFAULT 'pending',
    scheduled_for      timestamptz  NOT NULL DEFAULT now(),
    sent_at            timestamptz,
    read_at            timestamptz,
    created_at         timestamptz  NOT NULL DEFAULT now(),
    updated_at         timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT notifications_pkey PRIMARY KEY (id),
    CONSTRAINT notifications_user_id_fkey FOREIGN KEY (user_id)
        REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT notifications_trip_id_fkey FOREIGN KEY (trip_id)
        REFERENCES trips (id) ON DELETE SET NULL,
    CONSTRAINT notifications_booking_id_fkey FOREIGN KEY (booking_id)
        REFERENCES bookings (id) ON DELETE SET NULL,
    CONSTRAINT notifications_type_chk
        CHECK (notification_type IN ('flight_delay', 'gate_change', 'flight_cancellation',
                                     'booking_confirmation', 'booking_cancellation',
                                     'check_in_reminder', 'price_alert', 'trip_reminder',
                                     'agent_message', 'account', 'marketing')),
    CONSTRAINT notifications_priority_chk CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    CONSTRAINT notifications_status_chk
        CHECK (status IN ('pending', 'sent', 'delivered', 'read', 'dismissed', 'failed')),
    CONSTRAINT notifications_channels_object_chk CHECK (jsonb_typeof(channels) = 'object'),
    CONSTRAINT notifications_action_url_chk CHECK (action_url IS NULL OR action_url ~ '^(https?://|/|[a-z]+://)'),
    CONSTRAINT notifications_sent_chk CHECK (sent_at IS NULL OR sent_at >= created_at),
    CONSTRAINT notifications_read_chk CHECK (read_at IS NULL OR status IN ('read', 'dismissed'))
);

-- Dispatcher queue: due, not yet sent, most urgent first.
CREATE INDEX notifications_dispatch_idx ON notifications (scheduled_for, priority)
    WHERE status = 'pending';
-- In-app inbox: unread notifications of a user.
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC)
    INCLUDE (title, notification_type)
    WHERE read_at IS NULL AND status IN ('sent', 'delivered');
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC);
CREATE INDEX notifications_booking_idx ON notifications (booking_id) WHERE booking_id IS NOT NULL;

COMMENT ON TABLE notifications IS 'Proactive alerts to users (delays, gate changes, reminders, price drops) and their delivery state.';
COMMENT ON COLUMN notifications.channels IS 'Requested channels, e.g. {"email": true, "sms": false, "push": true}.';
COMMENT ON COLUMN notifications.delivery_status IS 'Per-channel outcome, e.g. {"email": "sent", "push": "failed"}.';
COMMENT ON COLUMN notifications.scheduled_for IS 'Earliest time the dispatcher may send the notification.';
