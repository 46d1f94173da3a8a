-- Alarm events a notification target could not take within its retry budget, with the reason, so an undelivered notification is on record once its follower has moved past it.
CREATE TABLE alarm_notifications_undeliverable (
  target       text NOT NULL,
  event_id     uuid NOT NULL,
  event_type   text NOT NULL,
  machine_id   text NOT NULL,
  rule_id      text NOT NULL,
  attempts     integer NOT NULL,
  reason       text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, event_id)
);
