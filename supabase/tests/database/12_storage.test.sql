-- Storage: the evidence and documents buckets are private, and storage.objects lets a
-- user read only the objects under quote/{quote_id}/ of their own quotes. Writes are
-- the functions' job (service_role); users get no write policy at all.
begin;
\ir ../helpers/fixtures.psql

select plan(24);

select results_eq(
  $$select id, public from storage.buckets where id in ('evidence', 'documents') order by id$$,
  $$values ('documents', false), ('evidence', false)$$,
  'the documents and evidence buckets exist and are private');

insert into storage.buckets (id, name, public) values ('misc', 'misc', false);
insert into storage.objects (bucket_id, name, owner) values
  ('evidence', 'quote/a0000000-0000-4000-8000-0000000000a1/input/' || repeat('1', 64) || '.json', null),
  ('evidence', 'quote/a0000000-0000-4000-8000-0000000000a1/drawing/' || repeat('9', 64) || '.svg', null),
  ('documents', 'quote/a0000000-0000-4000-8000-0000000000a1/quote.pdf', null),
  ('evidence', 'quote/b0000000-0000-4000-8000-0000000000b1/input/' || repeat('2', 64) || '.json', null),
  -- Not under quote/{id}/ or not in our buckets: nobody but service_role reads these.
  ('evidence', 'a0000000-0000-4000-8000-0000000000a1/input/loose.json', null),
  ('evidence', 'quote/not-a-uuid/input/x.json', null),
  ('misc', 'quote/a0000000-0000-4000-8000-0000000000a1/input/x.json', null);

select tests.matrix('objects: select every object',
  $$select 1 from storage.objects$$,
  array['ok:0', 'ok:3', 'ok:1', 'ok:0', 'ok:7']);
select tests.matrix('objects: select alice''s evidence',
  $$select 1 from storage.objects
     where bucket_id = 'evidence' and name like 'quote/a0000000-0000-4000-8000-0000000000a1/%'$$,
  array['ok:0', 'ok:2', 'ok:0', 'ok:0', 'ok:2']);
select tests.matrix('objects: upload into alice''s quote folder',
  $$insert into storage.objects (bucket_id, name)
    values ('evidence', 'quote/a0000000-0000-4000-8000-0000000000a1/lint/' || repeat('5', 64) || '.json')$$,
  array['rls', 'rls', 'rls', 'rls', 'ok:1']);
select tests.matrix('objects: overwrite alice''s document',
  $$update storage.objects set metadata = '{"tampered": true}'
     where bucket_id = 'documents' and name = 'quote/a0000000-0000-4000-8000-0000000000a1/quote.pdf'$$,
  array['ok:0', 'ok:0', 'ok:0', 'ok:0', 'ok:1']);

select is(tests.try('alice', $$delete from storage.objects where name like 'quote/a0000000-0000-4000-8000-0000000000a1/%'$$),
  'ok:0', 'objects: a user cannot delete even their own objects');
select is(tests.try('bob', $$select 1 from storage.objects
     where name = 'quote/b0000000-0000-4000-8000-0000000000b1/input/' || repeat('2', 64) || '.json'$$),
  'ok:1', 'objects: bob reads the evidence of his own quote');
select is(tests.try('alice', $$select 1 from storage.buckets$$),
  'ok:0', 'buckets: users cannot list buckets');

select * from finish();
rollback;
