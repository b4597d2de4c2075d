-- E-mail addresses of an organisation's members, for the people in it: the members list
-- names each member by e-mail and a quote's review history names its reviewers.
--
-- auth.users is not readable by `authenticated`, so one SECURITY DEFINER helper in
-- `estimator_private` (not exposed by the Data API) reads it, and answers only when the
-- caller (auth.uid()) is a member of the organisation: a non-member gets no rows. The
-- exposed functions in `estimator` are SECURITY INVOKER: RLS on quotes and quote_reviews
-- decides what the review history shows.

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

-- The review decisions on a quote, oldest first, with the reviewer's e-mail while the
-- reviewer is still a member of the quote's organisation (else null).
create function estimator.quote_review_history(quote_id uuid)
returns table (decision text, reason text, reviewer_id uuid, reviewer_email text, created_at timestamptz)
language sql
stable
set search_path = ''
as $$
  select r.decision, r.reason, r.reviewer, e.email, r.at
    from estimator.quote_reviews as r
    join estimator.quotes as q on q.id = r.quote_id
    left join lateral estimator_private.member_emails(q.organisation_id) as e
      on e.user_id = r.reviewer
   where r.quote_id = quote_review_history.quote_id
   order by r.at, r.id
$$;
comment on function estimator.quote_review_history(uuid) is
  'Review decisions on a quote the caller can read (RLS), oldest first, with the reviewer''s e-mail.';
revoke all on function estimator.quote_review_history(uuid) from public, anon, authenticated, service_role;
grant execute on function estimator.quote_review_history(uuid) to authenticated, service_role;
