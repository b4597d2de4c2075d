-- A project revision keeps its label.
--
-- quotes_chain_revision (20261130000800) merges `revision` (the number) into a new
-- revision's stored response. A panel quote's response has no `revision` of its own (its
-- label is on its cover), but a project's has: the label its engine priced it as ("R1"),
-- which the merge replaced with 1. A response that carries its label as a string keeps it
-- (it names the same revision: the label is R{revision} of the locked predecessor + 1, or
-- the insert fails); any other gets the number, as before.

create or replace function estimator.quotes_chain_revision()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_prev estimator.quotes;
begin
  if new.quote_number is not null then
    return new;  -- a restore brings its chain as it was (the unique keys still hold)
  end if;
  if new.previous_quote_id is null then
    if new.revision <> 0 then
      raise exception 'a revision above 0 needs previous_quote_id' using errcode = '22023';
    end if;
    return new;
  end if;
  select q.* into v_prev from estimator.quotes as q where q.id = new.previous_quote_id for update;
  if not found then
    raise exception 'quote % not found', new.previous_quote_id using errcode = 'P0002';
  end if;
  if exists (select 1 from estimator.quotes as q where q.previous_quote_id = v_prev.id) then
    raise exception 'REVISION_CONFLICT: quote % already has a newer revision', v_prev.id
      using errcode = 'PT409';
  end if;
  if new.organisation_id is not null and new.organisation_id <> v_prev.organisation_id then
    raise exception 'a revision stays in its quote''s organisation' using errcode = '22023';
  end if;
  new.organisation_id := v_prev.organisation_id;
  new.revision := v_prev.revision + 1;
  new.quote_number := v_prev.quote_number;
  if jsonb_typeof(new.response -> 'revision') = 'string' then
    if new.response ->> 'revision' <> 'R' || new.revision then
      raise exception 'the response names revision %, the quote is R%',
        new.response ->> 'revision', new.revision using errcode = '22023';
    end if;
    new.response := new.response || jsonb_build_object('quote_number', v_prev.quote_number);
  else
    new.response := new.response || jsonb_build_object(
      'quote_number', v_prev.quote_number, 'revision', new.revision);
  end if;
  return new;
end
$$;
