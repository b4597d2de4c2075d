-- E-mail addresses of an organisation's members, for the people in it: the members list
-- names each member by e-mail (a quote's review history reads the e-mail recorded with
-- each decision, migration 20261130001110).
--
-- auth.users is not readable by `authenticated`, so one SECURITY DEFINER helper in
-- `estimator_private` (not exposed by the Data API) reads it, and answers only when the
-- caller (auth.uid()) is a member of the organisation: a non-member gets no rows. The
-- exposed function in `estimator` is SECURITY INVOKER.

create function estimator_private.member_emails(organisation_id uuid)
returns table (user_id uuid, email text)
language sql
stable
security definer
set search_path = ''
as $$
  select m.user_id, u.email::text
    from estimator.memberships as m
    join auth.users as u on u.id = m.user_id
   where m.organisation_id = member_emails.organisation_id
     and estimator_private.has_role_on_org(member_emails.organisation_id)
$$;
comment on function estimator_private.member_emails(uuid) is
  'The members of the organisation with their e-mail addresses, when the caller (auth.uid()) is a member of it; else no rows.';
revoke all on function estimator_private.member_emails(uuid) from public, anon, authenticated, service_role;
grant execute on function estimator_private.member_emails(uuid) to authenticated, service_role;

create function estimator.member_emails(organisation_id uuid)
returns table (user_id uuid, email text)
language sql
stable
set search_path = ''
as $$
  select e.user_id, e.email from estimator_private.member_emails(member_emails.organisation_id) as e
$$;
comment on function estimator.member_emails(uuid) is
  'The members of an organisation of the caller with their e-mail addresses (no rows for a non-member).';
revoke all on function estimator.member_emails(uuid) from public, anon, authenticated, service_role;
grant execute on function estimator.member_emails(uuid) to authenticated, service_role;
