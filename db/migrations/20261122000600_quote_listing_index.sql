-- A user's quote list is read newest first (GET /functions/v1/quotes): owner, then
-- created_at descending with id as the tie-breaker, so the page is an index range scan.
create index quotes_owner_created_at_idx on estimator.quotes (owner, created_at desc, id desc);
