-- Rendered document sets: recorded by the server only (service_role with the caller's
-- claims), for the caller's own quote, idempotently (a second recording of the same set
-- adds nothing); a later set keeps the earlier one; users read their own sets only.
begin;
\ir ../helpers/fixtures.psql

select plan(10);

create function tests.docs(quote uuid, sha text) returns jsonb
language sql
as $$
  select jsonb_build_array(
    jsonb_build_object('kind', 'pdf', 'filename', 'quote.pdf',
      'storage_path', format('quote/%s/pdf/%s.pdf', quote, sha), 'sha256', sha,
      'content_type', 'application/pdf', 'size_bytes', 10),
    jsonb_build_object('kind', 'svg', 'filename', 'drawing.svg',
      'storage_path', format('quote/%s/svg/%s.svg', quote, sha), 'sha256', sha,
      'content_type', 'image/svg+xml', 'size_bytes', 20))
$$;
grant execute on function tests.docs(uuid, text) to service_role, authenticated;

select is(tests.try('alice', $$select estimator.record_documents('a0000000-0000-4000-8000-0000000000a1',
            1, 'issued', null, null, tests.docs('a0000000-0000-4000-8000-0000000000a1', repeat('1', 64)))$$),
  'denied', 'a user cannot record documents, even of their own quote');
select is(tests.try('server:bob', $$select estimator.record_documents('a0000000-0000-4000-8000-0000000000a1',
            1, 'issued', null, null, tests.docs('a0000000-0000-4000-8000-0000000000a1', repeat('1', 64)))$$),
  'error:P0002', 'the server cannot record documents of another user''s quote for a caller');
select is(tests.try('server:alice', $$select estimator.record_documents('a0000000-0000-4000-8000-0000000000a1',
            0, 'issued', null, null, tests.docs('a0000000-0000-4000-8000-0000000000a1', repeat('1', 64)))$$),
  'error:22023', 'set 0 belongs to the quote itself');
select is(tests.try('server:alice', $$select estimator.record_documents('a0000000-0000-4000-8000-0000000000a1',
            1, 'issued', null, null, '[{"kind": "pdf", "forged": true}]')$$),
  'error:22023', 'unknown keys are refused');

select tests.act_as('server:alice');
select is(estimator.record_documents('a0000000-0000-4000-8000-0000000000a1', 1, 'issued', null, null,
            tests.docs('a0000000-0000-4000-8000-0000000000a1', repeat('1', 64))),
  2, 'the server records a set of the caller''s quote');
select is(estimator.record_documents('a0000000-0000-4000-8000-0000000000a1', 1, 'issued', null, null,
            tests.docs('a0000000-0000-4000-8000-0000000000a1', repeat('2', 64))),
  2, 'recording the set again adds nothing');
select is(estimator.record_documents('a0000000-0000-4000-8000-0000000000a1', 2, 'approved', null, null,
            tests.docs('a0000000-0000-4000-8000-0000000000a1', repeat('1', 64))),
  2, 'a later set may hold the same bytes as an earlier one');
select tests.act_as('postgres');

select results_eq(
  $$select set_no, state, kind, sha256 from estimator.documents
     where quote_id = 'a0000000-0000-4000-8000-0000000000a1' and set_no >= 1 order by set_no, kind$$,
  $$values (1, 'issued'::text, 'pdf'::text, repeat('1', 64)), (1, 'issued', 'svg', repeat('1', 64)),
           (2, 'approved', 'pdf', repeat('1', 64)), (2, 'approved', 'svg', repeat('1', 64))$$,
  'the first set is kept as first recorded, and the later set beside it');
select is(tests.try('bob', $$select 1 from estimator.documents where quote_id = 'a0000000-0000-4000-8000-0000000000a1'$$),
  'ok:0', 'another user sees none of them');
select is((select count(*)::integer from shared.audit_logs
            where action = 'documents.render' and target = 'quote:a0000000-0000-4000-8000-0000000000a1'),
  2, 'each set recorded is audited once');

select * from finish();
rollback;
