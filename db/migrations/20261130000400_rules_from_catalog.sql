-- The SQL copies of two rules read the rule from the quote's catalog version instead of
-- repeating it (issue 9: one home per rule). The catalog document stores its rules as
-- decimal text: content.rules.vat_rate ("0.1") and content.rules.imbalance_target ("0.03").
-- A catalog without the rule gives null (vat, grand_total; balanced), never a guess.

-- estimator.calculate_quote_totals ---------------------------------------------------------
-- Totals recomputed from the stored lines: subtotal = sum of amounts, VAT = the quote's
-- catalog vat_rate × subtotal rounded half-up to 1 won, grand total = subtotal + VAT.
-- No row when the quote is not visible to the caller.
create or replace function estimator.calculate_quote_totals(quote_id uuid)
returns table (subtotal bigint, vat bigint, grand_total bigint)
language sql
stable
set search_path = ''
as $$
  with s as (
    select coalesce(sum(i.amount), 0)::bigint as subtotal,
           (c.content #>> '{rules,vat_rate}')::numeric as vat_rate
      from estimator.quotes as q
      left join shared.catalog_versions as c
        on c.id = q.catalog_version_id
      left join estimator.quote_items as i
        on i.owner = q.owner and i.quote_id = q.id
     where q.id = calculate_quote_totals.quote_id
     group by q.id, c.content
  ),
  v as (
    select s.subtotal, floor(s.subtotal * s.vat_rate + 0.5)::bigint as vat
      from s
  )
  select v.subtotal, v.vat, v.subtotal + v.vat
    from v
$$;
comment on function estimator.calculate_quote_totals(uuid) is
  'Subtotal (sum of line amounts), VAT (the quote''s catalog rules.vat_rate, half-up to 1 won) and grand total of a quote, in KRW.';

-- estimator.get_phase_balance -------------------------------------------------------------
-- As in 20261122000400_quote_functions.sql, but balanced compares with `target` when it is
-- given and otherwise with the imbalance_target of the catalog the panel's quote used.
create or replace function estimator.get_phase_balance(panel_id uuid, target numeric default null)
returns table (system text, phase text, load_a numeric, imbalance numeric, balanced boolean)
language plpgsql
stable
set search_path = ''
as $$
declare
  v_owner uuid;
  v_main_poles smallint;
  v_has_pairs boolean;
  v_system text;
  v_groups text[];
  v_totals numeric[];
  v_three_phase numeric;
  v_single numeric;
  v_total numeric;
  v_imbalance numeric;
  v_target numeric;
begin
  select p.owner, coalesce(get_phase_balance.target, (c.content #>> '{rules,imbalance_target}')::numeric)
    into v_owner, v_target
    from estimator.panels as p
    join estimator.quotes as q on q.owner = p.owner and q.id = p.quote_id
    left join shared.catalog_versions as c on c.id = q.catalog_version_id
   where p.id = get_phase_balance.panel_id;
  if not found then
    return;
  end if;

  select max(b.poles) filter (where b.role = 'main'),
         coalesce(bool_or(b.phase in ('RS', 'ST', 'TR')), false),
         coalesce(sum(b.load_a) filter (where b.role = 'branch' and b.poles in (3, 4)), 0),
         coalesce(sum(b.load_a) filter (where b.role = 'branch' and b.poles = 2), 0)
    into v_main_poles, v_has_pairs, v_three_phase, v_single
    from estimator.breakers as b
   where b.owner = v_owner and b.panel_id = get_phase_balance.panel_id;

  v_system := case
    when v_main_poles = 2 then '1P2W'
    when v_main_poles = 3 or (v_main_poles is null and v_has_pairs) then '3P3W'
    else '3P4W'
  end;

  if v_system = '1P2W' then
    system := v_system;
    phase := null;
    load_a := v_single + v_three_phase;
    imbalance := null;
    balanced := null;
    return next;
    return;
  end if;

  v_groups := case when v_system = '3P3W' then array['RS', 'ST', 'TR'] else array['R', 'S', 'T'] end;

  select array_agg(
           coalesce((select sum(b.load_a)
                       from estimator.breakers as b
                      where b.owner = v_owner
                        and b.panel_id = get_phase_balance.panel_id
                        and b.role = 'branch'
                        and b.poles = 2
                        and b.phase = g.name), 0)
           + case when v_system = '3P4W' then v_three_phase else 0 end
           order by g.ord)
    into v_totals
    from unnest(v_groups) with ordinality as g(name, ord);

  -- (max - min) / (total / 3), written as 3 (max - min) / total to keep it exact.
  if v_system = '3P4W' then
    v_total := v_totals[1] + v_totals[2] + v_totals[3];
  else
    v_total := v_totals[1] + v_totals[2] + v_totals[3] + sqrt(3::numeric) * v_three_phase;
  end if;

  if v_total = 0 then
    v_imbalance := 0;
  else
    v_imbalance := 3 * (greatest(v_totals[1], v_totals[2], v_totals[3])
                        - least(v_totals[1], v_totals[2], v_totals[3])) / v_total;
  end if;

  for i in 1 .. 3 loop
    system := v_system;
    phase := v_groups[i];
    load_a := v_totals[i];
    imbalance := v_imbalance;
    balanced := v_imbalance <= v_target;
    return next;
  end loop;
end
$$;
comment on function estimator.get_phase_balance(uuid, numeric) is
  'Per-phase (or per-pair) load in A of a panel from its breakers, the KEC imbalance (max - min) / mean as a fraction, and whether it is within target (default: the quote''s catalog rules.imbalance_target).';
