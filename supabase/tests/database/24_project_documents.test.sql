-- A project quote's documents (issue 11): one set holds several drawings of one kind
-- (drawing-MDP.svg, drawing-LP-1.svg, ...), unique by (kind, filename) within the set;
-- recording the set again adds nothing; set 0's documents (no file name) stay one per kind.
begin;
\ir ../helpers/fixtures.psql

select plan(4);

create function tests.project_docs(quote uuid) returns jsonb
language sql
as $$
  select jsonb_agg(jsonb_build_object('kind', k.kind, 'filename', k.filename,
           'storage_path', format('quote/%s/%s/%s.%s', quote, k.kind, k.sha, k.kind),
           'sha256', k.sha, 'content_type', k.ctype, 'size_bytes', 10))
    from (values ('pdf', 'quote.pdf', repeat('1', 64), 'application/pdf'),
                 ('svg', 'drawing-MDP.svg', repeat('2', 64), 'image/svg+xml'),
                 ('svg', 'drawing-LP-1.svg', repeat('3', 64), 'image/svg+xml'),
                 -- two panels may draw the same bytes: same path, two rows
                 ('svg', 'drawing-LP-2.svg', repeat('3', 64), 'image/svg+xml'))
         as k(kind, filename, sha, ctype)
$$;
grant execute on function tests.project_docs(uuid) to service_role;

select tests.act_as('server:alice');
select is(estimator.record_documents('a0000000-0000-4000-8000-0000000000a1', 1, 'issued', null, null,
            tests.project_docs('a0000000-0000-4000-8000-0000000000a1')),
  4, 'a set records one drawing per panel, several of kind svg');
select is(estimator.record_documents('a0000000-0000-4000-8000-0000000000a1', 1, 'issued', null, null,
            tests.project_docs('a0000000-0000-4000-8000-0000000000a1')),
  4, 'recording the same set again adds nothing');
select tests.act_as('postgres');

select results_eq(
  $$select filename from estimator.documents
     where quote_id = 'a0000000-0000-4000-8000-0000000000a1' and set_no = 1 and kind = 'svg'
     order by filename$$,
  $$values ('drawing-LP-1.svg'::text), ('drawing-LP-2.svg'), ('drawing-MDP.svg')$$,
  'the drawings are told apart by their file names');
select throws_ok(
  $$insert into estimator.documents (owner, quote_id, set_no, kind, storage_path, sha256, content_type)
    select owner, quote_id, set_no, kind, storage_path || 'x', sha256, content_type
      from estimator.documents
     where quote_id = 'a0000000-0000-4000-8000-0000000000a1' and set_no = 0 and kind = 'quote_pdf'$$,
  '23505', null, 'set 0 still has one document of a kind without a file name');

select * from finish();
rollback;
