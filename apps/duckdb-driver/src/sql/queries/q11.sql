-- Copied from the unimem project's shared reference file reference/tpch/queries/q11.sql.
-- TPC-H Q11 (Important Stock Identification). Params: NATION=GERMANY, FRACTION=0.0001/SF
-- ${FRACTION} must be substituted (0.0001 at SF 1, 0.001 at SF 0.1, 0.01 at SF 0.01).
select ps_partkey, sum(ps_supplycost * ps_availqty) as value
from partsupp, supplier, nation
where ps_suppkey = s_suppkey and s_nationkey = n_nationkey and n_name = 'GERMANY'
group by ps_partkey
having sum(ps_supplycost * ps_availqty) > (
  select sum(ps_supplycost * ps_availqty) * ${FRACTION}
  from partsupp, supplier, nation
  where ps_suppkey = s_suppkey and s_nationkey = n_nationkey and n_name = 'GERMANY')
order by value desc;
