-- The organisation of a new quote, per request (issue 12): the functions name it from the
-- X-Organisation header in create_quote's payload (organisation_id), or name none.
--
-- Same trigger as 20261130000600, with two refusals the API can tell apart by SQLSTATE
-- (functions/_shared/driver_errors.classify), instead of 22023 and the constraint
-- trigger's 42501 after the insert:
--   KE404  the organisation named is not one the owner belongs to (the API answers 404,
--          as for another organisation's quote: it does not say whether it exists);
--   KE422  no organisation named and the owner belongs to several, none of them personal
--          (the API answers 422 ORGANISATION_REQUIRED with the caller's organisations).
-- A restored row (quote_number already set, ops/supabase/restore.sh) is not checked here:
-- it may arrive before its memberships, and quotes_owner_is_member (deferrable) checks it.
create or replace function estimator.quotes_set_organisation()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_orgs uuid[];
begin
  if new.organisation_id is not null then
    if new.quote_number is null
       and not exists (select 1 from estimator.memberships as m
                        where m.organisation_id = new.organisation_id and m.user_id = new.owner) then
      raise exception 'ORGANISATION_NOT_FOUND: organisation % is not one of the owner''s',
        new.organisation_id using errcode = 'KE404';
    end if;
    return new;
  end if;
  select coalesce(array_agg(m.organisation_id), '{}') into v_orgs
    from estimator.memberships as m
   where m.user_id = new.owner;
  if cardinality(v_orgs) = 1 then
    new.organisation_id := v_orgs[1];
  elsif cardinality(v_orgs) = 0 then
    new.organisation_id := estimator_private.personal_org(new.owner);
  else
    select o.id into new.organisation_id
      from estimator.organisations as o
     where o.personal_owner = new.owner and o.id = any (v_orgs);
    if new.organisation_id is null then
      raise exception 'ORGANISATION_REQUIRED: the owner belongs to several organisations; name one'
        using errcode = 'KE422';
    end if;
  end if;
  return new;
end
$$;
comment on function estimator.quotes_set_organisation() is
  'Trigger: files a new quote under the organisation named (the owner must belong to it: KE404), else the owner''s only or personal one (created on demand); several and none personal: KE422.';
revoke all on function estimator.quotes_set_organisation() from public, anon, authenticated, service_role;
