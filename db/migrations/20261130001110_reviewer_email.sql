-- Who approved a quote, by name: an approved quote's documents are rendered again showing
-- the approver and the time (issue 12), whichever member asks for them first and over
-- either database transport, so the name must be stored with the decision rather than
-- taken from the caller's token. The reviewer's e-mail address (auth.users) at the time of
-- the decision is copied into the review row by a trigger; rows decided earlier get it
-- here. Null when the user has no e-mail (the documents then show the user id).
alter table estimator.quote_reviews add column reviewer_email text;
comment on column estimator.quote_reviews.reviewer_email is
  'The reviewer''s e-mail address when the decision was made (shown on approved documents).';

update estimator.quote_reviews as r
   set reviewer_email = u.email
  from auth.users as u
 where u.id = r.reviewer and r.reviewer_email is null;

-- SECURITY DEFINER: reads auth.users for the reviewer only; the row is inserted by
-- estimator.review_quote (service_role), never by users.
create function estimator_private.quote_reviews_set_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  select u.email into new.reviewer_email from auth.users as u where u.id = new.reviewer;
  return new;
end
$$;
comment on function estimator_private.quote_reviews_set_email() is
  'Trigger: copies the reviewer''s e-mail address into a new review row.';
revoke all on function estimator_private.quote_reviews_set_email() from public, anon, authenticated, service_role;

create trigger quote_reviews_set_email
  before insert on estimator.quote_reviews
  for each row execute function estimator_private.quote_reviews_set_email();
