-- Machines listed as people number them: press-2 before press-10. The key pads every run of digits to 20 places (longer runs keep their length, so they still sort after shorter ones).
CREATE FUNCTION natural_sort_key(s text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (
    SELECT string_agg(CASE WHEN part[1] ~ '^[0-9]' THEN lpad(part[1], greatest(20, length(part[1])), '0') ELSE part[1] END, '' ORDER BY n)
      FROM regexp_matches(s, '[0-9]+|[^0-9]+', 'g') WITH ORDINALITY AS parts(part, n)
  );

-- Machine ids never change, so this index keeps machine_state updates in place (HOT).
CREATE INDEX machine_state_natural_order ON machine_state (natural_sort_key(machine_id), machine_id);
