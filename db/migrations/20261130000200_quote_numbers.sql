-- Quote numbers: every stored quote gets a human number, unique and sequential per year
-- (Q-2026-000123), assigned in the transaction that stores it and shown on its documents.
--
-- The year is the issue date's in Korea (Asia/Seoul), where the panel maker works. A
-- counter row per year hands out the numbers: its row lock serialises concurrent quotes
-- of one year until they commit, and a transaction that rolls back gives its number back,
-- so the numbers of a year have no gaps. The number is assigned AFTER the row is inserted:
-- create_quote's `on conflict do nothing` (an idempotent replay) inserts nothing and so
-- consumes no number. The stored response (replayed for the same Idempotency-Key) carries
-- the number as well. A row that arrives numbered (a restore from backup, which restores
-- the counters too) keeps its number.

create table estimator.quote_number_counters (
  year integer primary key,
  last_number integer not null,
  updated_at timestamptz not null default now(),
  constraint quote_number_counters_year_range check (year between 2000 and 9999),
  constraint quote_number_counters_last_positive check (last_number >= 1)
);
comment on table estimator.quote_number_counters is
  'The last quote number handed out per year (Asia/Seoul); written only by the quote-number trigger.';
create trigger quote_number_counters_set_updated_at
  before update on estimator.quote_number_counters
  for each row execute function shared.set_updated_at();
alter table estimator.quote_number_counters enable row level security;
revoke all on table estimator.quote_number_counters from public, anon, authenticated, service_role;
grant select, insert, update on table estimator.quote_number_counters to service_role;

alter table estimator.quotes add column quote_number text;

-- Quotes stored before numbers existed are numbered in the order they were created.
with numbered as (
  select q.id,
         extract(year from q.issued_at at time zone 'Asia/Seoul')::integer as year,
         row_number() over (
           partition by extract(year from q.issued_at at time zone 'Asia/Seoul')
           order by q.created_at, q.id) as n
    from estimator.quotes as q
)
update estimator.quotes as q
   set quote_number = format('Q-%s-%s', numbered.year, lpad(numbered.n::text, 6, '0')),
       response = q.response || jsonb_build_object(
         'quote_number', format('Q-%s-%s', numbered.year, lpad(numbered.n::text, 6, '0')))
  from numbered
 where numbered.id = q.id;
insert into estimator.quote_number_counters (year, last_number)
select extract(year from q.issued_at at time zone 'Asia/Seoul')::integer, count(*)
  from estimator.quotes as q
 group by 1;

alter table estimator.quotes
  add constraint quotes_quote_number_key unique (quote_number),
  add constraint quotes_quote_number_format check (quote_number ~ '^Q-[0-9]{4}-[0-9]{6,}$');
comment on column estimator.quotes.quote_number is
  'Human quote number, Q-{year}-{n:06}, unique and gap-free per year (Asia/Seoul); set by the quote-number trigger in the storing transaction.';

-- estimator.assign_quote_number ----------------------------------------------------------
create function estimator.assign_quote_number()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  v_year integer := extract(year from new.issued_at at time zone 'Asia/Seoul')::integer;
  v_n integer;
  v_number text;
begin
  if new.quote_number is not null then
    return null;  -- a restore brings its numbers (and the counters) with it
  end if;
  insert into estimator.quote_number_counters as c (year, last_number)
  values (v_year, 1)
  on conflict (year) do update set last_number = c.last_number + 1
  returning c.last_number into v_n;
  v_number := format('Q-%s-%s', v_year, lpad(v_n::text, 6, '0'));
  update estimator.quotes as q
     set quote_number = v_number,
         response = q.response || jsonb_build_object('quote_number', v_number)
   where q.id = new.id;
  return null;
end;
$$;
comment on function estimator.assign_quote_number() is
  'Trigger: numbers a newly stored quote (Q-{year}-{n:06}) in the same transaction.';
revoke all on function estimator.assign_quote_number() from public, anon, authenticated;

create trigger quotes_assign_number
  after insert on estimator.quotes
  for each row execute function estimator.assign_quote_number();
