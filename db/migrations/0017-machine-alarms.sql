-- A machine's alarms that are not normal or are shelved, for the API to list without folding the log, and when its next time-based alarm change (an on or off delay, a shelf's end, a silence) is due, for the sweep that ticks it.
ALTER TABLE machine_state ADD COLUMN alarms jsonb, ADD COLUMN alarm_due_at timestamptz;

CREATE INDEX machine_state_alarm_due ON machine_state (alarm_due_at) WHERE alarm_due_at IS NOT NULL;
