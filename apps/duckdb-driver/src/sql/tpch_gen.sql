-- Copied verbatim from the unimem project's shared reference file reference/tpch/tpch_gen.sql
-- (the offline TPC-H generator written for this project); provenance and measurements are in
-- that reference (docs/reference/duckdb.md, section 1). Do not edit without bumping GENERATOR_VERSION in gen.ts.
-- tpch_gen.sql — offline, deterministic TPC-H-shaped data generator in pure DuckDB SQL.
-- Usage:  SET VARIABLE sf = 0.1;   then run this script (statements separated by ';').
-- Tested on DuckDB v1.5.6 (@duckdb/node-api 1.5.6-r.1).
-- Follows TPC-H v3 clause 4.2.3: cardinalities, key formulas (sparse orderkeys,
-- partsupp/lineitem supplier formula, custkey % 3 <> 0 for orders), value domains,
-- date rules, returnflag/linestatus rules, retailprice formula, totalprice/orderstatus
-- derived from lineitems, "Customer...Complaints" supplier comments, text comments
-- as random substrings of a grammar-generated text pool (like dbgen).
-- NOT bit-identical to dbgen (different RNG: DuckDB hash(hash(key, salt)) instead of dbgen's LCG streams),
-- so query answers differ from the official answer sets, but selectivities are spec-like.

-- ---------------------------------------------------------------- counts
SET VARIABLE n_supp   = GREATEST(1, CAST(round(10000   * getvariable('sf')) AS BIGINT));
SET VARIABLE n_part   = GREATEST(1, CAST(round(200000  * getvariable('sf')) AS BIGINT));
SET VARIABLE n_cust   = GREATEST(1, CAST(round(150000  * getvariable('sf')) AS BIGINT));
SET VARIABLE n_orders = GREATEST(1, CAST(round(1500000 * getvariable('sf')) AS BIGINT));
SET VARIABLE n_clerk  = GREATEST(1, CAST(round(1000    * getvariable('sf')) AS BIGINT));

-- ---------------------------------------------------------------- helpers
-- NOTE: DuckDB's multi-argument hash(a, b, salt) combines the per-argument hashes
-- linearly, so hash(k,'x') and hash(k,'y') differ only by an XOR constant and their low
-- bits are identical (hash(i,'a')%2 = hash(i,'b')%2 for every i). Re-hashing the combined
-- value with the 64-bit murmur finalizer (hash(hash(...))) decorrelates the streams.
-- uniform pick from a list using a 64-bit hash
CREATE OR REPLACE TEMP MACRO pick(lst, h) AS lst[1 + (h % len(lst))::BIGINT];
-- uniform integer in [lo, hi]
CREATE OR REPLACE TEMP MACRO rnd(h, lo, hi) AS (lo + (h % (hi - lo + 1)::UBIGINT)::BIGINT);

-- word lists with (approximate) dists.dss weights, expanded so that pick() is weighted
CREATE OR REPLACE TEMP TABLE tpch_words(kind VARCHAR, word VARCHAR, wt INTEGER);
INSERT INTO tpch_words VALUES
 ('n','packages',40),('n','requests',40),('n','accounts',40),('n','deposits',40),('n','foxes',20),
 ('n','ideas',20),('n','theodolites',20),('n','pinto beans',20),('n','instructions',20),
 ('n','dependencies',10),('n','excuses',10),('n','platelets',10),('n','asymptotes',10),('n','courts',5),
 ('n','dolphins',5),('n','multipliers',1),('n','sauternes',1),('n','warthogs',1),('n','frets',1),
 ('n','dinos',1),('n','attainments',1),('n','somas',1),('n','Tiresias',1),('n','patterns',1),
 ('n','forges',1),('n','braids',1),('n','hockey players',1),('n','frays',1),('n','warhorses',1),
 ('n','dugouts',1),('n','notornis',1),('n','epitaphs',1),('n','pearls',1),('n','tithes',1),
 ('n','waters',1),('n','orbits',1),('n','gifts',1),('n','sheaves',1),('n','depths',1),
 ('n','sentiments',1),('n','decoys',1),('n','realms',1),('n','pains',1),('n','grouches',1),('n','escapades',1),
 ('v','sleep',20),('v','wake',20),('v','are',20),('v','cajole',20),('v','haggle',20),('v','nag',10),
 ('v','use',10),('v','boost',10),('v','affix',5),('v','detect',5),('v','integrate',5),('v','maintain',1),
 ('v','nod',1),('v','was',1),('v','lose',1),('v','sublate',1),('v','solve',1),('v','thrash',1),
 ('v','promise',1),('v','engage',1),('v','hinder',1),('v','print',1),('v','x-ray',1),('v','breach',1),
 ('v','eat',1),('v','grow',1),('v','impress',1),('v','mold',1),('v','poach',1),('v','serve',1),
 ('v','run',1),('v','dazzle',1),('v','snooze',1),('v','doze',1),('v','unwind',1),('v','kindle',1),
 ('v','play',1),('v','hang',1),('v','believe',1),('v','doubt',1),
 ('j','special',20),('j','pending',20),('j','unusual',20),('j','express',20),('j','furious',1),
 ('j','sly',1),('j','careful',1),('j','blithe',1),('j','quick',1),('j','fluffy',1),('j','slow',1),
 ('j','quiet',1),('j','ruthless',1),('j','thin',1),('j','close',1),('j','dogged',1),('j','daring',1),
 ('j','brave',1),('j','stealthy',1),('j','permanent',1),('j','enticing',1),('j','idle',1),('j','busy',1),
 ('j','regular',50),('j','final',40),('j','ironic',40),('j','even',30),('j','bold',20),('j','silent',10),
 ('d','sometimes',1),('d','always',1),('d','never',1),('d','furiously',50),('d','slyly',50),
 ('d','carefully',50),('d','blithely',40),('d','quickly',30),('d','fluffily',20),('d','slowly',1),
 ('d','quietly',1),('d','ruthlessly',1),('d','thinly',1),('d','closely',1),('d','doggedly',1),
 ('d','daringly',1),('d','bravely',1),('d','stealthily',1),('d','permanently',1),('d','enticingly',1),
 ('d','idly',1),('d','busily',1),('d','regularly',1),('d','finally',1),('d','ironically',1),
 ('d','evenly',1),('d','boldly',1),('d','silently',1),
 ('p','about',50),('p','above',50),('p','according to',50),('p','across',50),('p','after',50),
 ('p','against',40),('p','along',40),('p','alongside of',30),('p','among',30),('p','around',20),
 ('p','at',10),('p','atop',1),('p','before',1),('p','behind',1),('p','beneath',1),('p','beside',1),
 ('p','besides',1),('p','between',1),('p','beyond',1),('p','by',1),('p','despite',1),('p','during',1),
 ('p','except',1),('p','for',1),('p','from',1),('p','in place of',1),('p','inside',1),
 ('p','instead of',1),('p','into',1),('p','near',1),('p','of',1),('p','on',1),('p','outside',1),
 ('p','over',1),('p','past',1),('p','since',1),('p','through',1),('p','throughout',1),('p','to',1),
 ('p','toward',1),('p','under',1),('p','until',1),('p','up',1),('p','upon',1),('p','without',1),
 ('p','with',1),('p','within',1),
 ('x','do',1),('x','may',1),('x','might',1),('x','shall',1),('x','will',1),('x','would',1),('x','can',1),
 ('x','could',1),('x','should',1),('x','ought to',1),('x','must',1),('x','will have to',1),
 ('x','shall have to',1),('x','could have to',1),('x','should have to',1),('x','must have to',1),
 ('x','need to',1),('x','try to',1),
 ('t','.',50),('t',';',1),('t',':',1),('t','?',1),('t','!',1),('t','--',1);
SET VARIABLE w_n = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='n'));
SET VARIABLE w_v = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='v'));
SET VARIABLE w_j = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='j'));
SET VARIABLE w_d = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='d'));
SET VARIABLE w_p = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='p'));
SET VARIABLE w_x = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='x'));
SET VARIABLE w_t = (SELECT list(word ORDER BY word, r) FROM (SELECT word, unnest(range(wt)) r FROM tpch_words WHERE kind='t'));

-- noun phrase: N |10, J N |20, J, J N |10, D J N |50
CREATE OR REPLACE TEMP MACRO tpch_np(i, s) AS CASE
  WHEN hash(hash(i, s, 'np')) % 90 < 10 THEN pick(getvariable('w_n'), hash(hash(i, s, 'n')))
  WHEN hash(hash(i, s, 'np')) % 90 < 30 THEN pick(getvariable('w_j'), hash(hash(i, s, 'j1'))) || ' ' || pick(getvariable('w_n'), hash(hash(i, s, 'n')))
  WHEN hash(hash(i, s, 'np')) % 90 < 40 THEN pick(getvariable('w_j'), hash(hash(i, s, 'j1'))) || ', ' || pick(getvariable('w_j'), hash(hash(i, s, 'j2'))) || ' ' || pick(getvariable('w_n'), hash(hash(i, s, 'n')))
  ELSE pick(getvariable('w_d'), hash(hash(i, s, 'd'))) || ' ' || pick(getvariable('w_j'), hash(hash(i, s, 'j1'))) || ' ' || pick(getvariable('w_n'), hash(hash(i, s, 'n'))) END;
-- verb phrase: V |30, X V |1, V D |40, X V D |1
CREATE OR REPLACE TEMP MACRO tpch_vp(i, s) AS CASE
  WHEN hash(hash(i, s, 'vp')) % 72 < 30 THEN pick(getvariable('w_v'), hash(hash(i, s, 'v')))
  WHEN hash(hash(i, s, 'vp')) % 72 < 31 THEN pick(getvariable('w_x'), hash(hash(i, s, 'x'))) || ' ' || pick(getvariable('w_v'), hash(hash(i, s, 'v')))
  WHEN hash(hash(i, s, 'vp')) % 72 < 71 THEN pick(getvariable('w_v'), hash(hash(i, s, 'v'))) || ' ' || pick(getvariable('w_d'), hash(hash(i, s, 'd')))
  ELSE pick(getvariable('w_x'), hash(hash(i, s, 'x'))) || ' ' || pick(getvariable('w_v'), hash(hash(i, s, 'v'))) || ' ' || pick(getvariable('w_d'), hash(hash(i, s, 'd'))) END;
CREATE OR REPLACE TEMP MACRO tpch_pp(i, s) AS pick(getvariable('w_p'), hash(hash(i, s, 'p'))) || ' the ' || tpch_np(i, s || 'pp');

-- text pool (~4.5 MB; dbgen uses 300 MB) built from the sentence grammar:
-- N V T |3, N V P T |3, N V N T |3, N P V N T |1, N P V P T |1
SET VARIABLE tpch_pool = (
  SELECT string_agg(s, ' ' ORDER BY i) FROM (
    SELECT i, CASE
      WHEN hash(hash(i, 'g')) % 11 < 3 THEN tpch_np(i, 'a') || ' ' || tpch_vp(i, 'b')
      WHEN hash(hash(i, 'g')) % 11 < 6 THEN tpch_np(i, 'a') || ' ' || tpch_vp(i, 'b') || ' ' || tpch_pp(i, 'c')
      WHEN hash(hash(i, 'g')) % 11 < 9 THEN tpch_np(i, 'a') || ' ' || tpch_vp(i, 'b') || ' ' || tpch_np(i, 'c')
      WHEN hash(hash(i, 'g')) % 11 < 10 THEN tpch_np(i, 'a') || ' ' || tpch_pp(i, 'c') || ' ' || tpch_vp(i, 'b') || ' ' || tpch_np(i, 'e')
      ELSE tpch_np(i, 'a') || ' ' || tpch_pp(i, 'c') || ' ' || tpch_vp(i, 'b') || ' ' || tpch_pp(i, 'e') END
      || pick(getvariable('w_t'), hash(hash(i, 't'))) AS s
    FROM range(100000) t(i)));
SET VARIABLE tpch_pool_len = length(getvariable('tpch_pool'));
-- random-offset, random-length [lo,hi] substring of the pool (dbgen's TEXT())
CREATE OR REPLACE TEMP MACRO tpch_text(k, s, lo, hi) AS
  substring(getvariable('tpch_pool'), 1 + (hash(hash(k, s, 'o')) % (getvariable('tpch_pool_len') - 200)::UBIGINT)::BIGINT, rnd(hash(hash(k, s, 'l')), lo, hi));
-- v-string: random alphanumerics, length [lo,hi] (hex-only here)
CREATE OR REPLACE TEMP MACRO tpch_vstr(k, s, lo, hi) AS
  substring(md5(concat(k, s, 'a')) || md5(concat(k, s, 'b')), 1, rnd(hash(hash(k, s, 'vl')), lo, hi));
CREATE OR REPLACE TEMP MACRO tpch_phone(k, s, nation) AS
  concat(nation + 10, '-', rnd(hash(hash(k, s, 'p1')), 100, 999), '-', rnd(hash(hash(k, s, 'p2')), 100, 999), '-', rnd(hash(hash(k, s, 'p3')), 1000, 9999));
CREATE OR REPLACE TEMP MACRO tpch_retailprice(pk) AS
  CAST((90000 + ((pk // 10) % 20001) + 100 * (pk % 1000)) / 100 AS DECIMAL(15,2));
-- supplier of the j-th (0..3) partsupp row of part pk (spec 4.2.3)
CREATE OR REPLACE TEMP MACRO tpch_ps_supp(pk, j, s) AS
  ((pk + (j * ((s // 4) + (pk - 1) // s))) % s) + 1;

-- ---------------------------------------------------------------- region / nation
CREATE OR REPLACE TABLE region AS
SELECT r_regionkey::INTEGER AS r_regionkey, r_name, tpch_text(r_regionkey, 'rc', 31, 115) AS r_comment
FROM (VALUES (0,'AFRICA'),(1,'AMERICA'),(2,'ASIA'),(3,'EUROPE'),(4,'MIDDLE EAST')) t(r_regionkey, r_name);

CREATE OR REPLACE TABLE nation AS
SELECT n_nationkey::INTEGER AS n_nationkey, n_name, n_regionkey::INTEGER AS n_regionkey,
       tpch_text(n_nationkey, 'nc', 31, 114) AS n_comment
FROM (VALUES (0,'ALGERIA',0),(1,'ARGENTINA',1),(2,'BRAZIL',1),(3,'CANADA',1),(4,'EGYPT',4),
  (5,'ETHIOPIA',0),(6,'FRANCE',3),(7,'GERMANY',3),(8,'INDIA',2),(9,'INDONESIA',2),(10,'IRAN',4),
  (11,'IRAQ',4),(12,'JAPAN',2),(13,'JORDAN',4),(14,'KENYA',0),(15,'MOROCCO',0),(16,'MOZAMBIQUE',0),
  (17,'PERU',1),(18,'CHINA',2),(19,'ROMANIA',3),(20,'SAUDI ARABIA',4),(21,'VIETNAM',2),
  (22,'RUSSIA',3),(23,'UNITED KINGDOM',3),(24,'UNITED STATES',1)) t(n_nationkey, n_name, n_regionkey)
ORDER BY n_nationkey;

-- ---------------------------------------------------------------- supplier
CREATE OR REPLACE TABLE supplier AS
SELECT s_suppkey, 'Supplier#' || lpad(s_suppkey::VARCHAR, 9, '0') AS s_name,
       tpch_vstr(s_suppkey, 'sa', 10, 40) AS s_address, s_nationkey,
       tpch_phone(s_suppkey, 'sp', s_nationkey) AS s_phone,
       CAST(rnd(hash(hash(s_suppkey, 'sb')), -99999, 999999) / 100 AS DECIMAL(15,2)) AS s_acctbal,
       CASE WHEN hash(hash(s_suppkey, 'bbb')) % 10000 < 5 OR s_suppkey = getvariable('n_supp') // 2 + 1
              -- ~SF*5 rows (at least 1): Q16's 'Customer%Complaints'
              THEN tpch_text(s_suppkey, 'sc1', 5, 20) || 'Customer ' || tpch_text(s_suppkey, 'sc2', 0, 20) || 'Complaints' || tpch_text(s_suppkey, 'sc3', 5, 30)
            WHEN hash(hash(s_suppkey, 'bbb')) % 10000 < 10 OR s_suppkey = getvariable('n_supp') // 3 + 1
              -- ~SF*5 rows (at least 1): 'Customer%Recommends'
              THEN tpch_text(s_suppkey, 'sc1', 5, 20) || 'Customer ' || tpch_text(s_suppkey, 'sc2', 0, 20) || 'Recommends' || tpch_text(s_suppkey, 'sc3', 5, 30)
            ELSE tpch_text(s_suppkey, 'sc', 25, 100) END AS s_comment
FROM (SELECT i + 1 AS s_suppkey, rnd(hash(hash(i + 1, 'sn')), 0, 24)::INTEGER AS s_nationkey
      FROM range(getvariable('n_supp')) t(i));

-- ---------------------------------------------------------------- part
CREATE OR REPLACE TEMP MACRO tpch_color(pk, x) AS
  (['almond','antique','aquamarine','azure','beige','bisque','black','blanched','blue',
  'blush','brown','burlywood','burnished','chartreuse','chiffon','chocolate','coral','cornflower',
  'cornsilk','cream','cyan','dark','deep','dim','dodger','drab','firebrick','floral','forest','frosted',
  'gainsboro','ghost','goldenrod','green','grey','honeydew','hot','indian','ivory','khaki','lace',
  'lavender','lawn','lemon','light','lime','linen','magenta','maroon','medium','metallic','midnight',
  'mint','misty','moccasin','navajo','navy','olive','orange','orchid','pale','papaya','peach','peru',
  'pink','plum','powder','puff','purple','red','rose','rosy','royal','saddle','salmon','sandy',
  'seashell','sienna','sky','slate','smoke','snow','spring','steel','tan','thistle','tomato',
  'turquoise','violet','wheat','white','yellow'])
  -- 5 distinct colours per part: random start, random stride 1..18 over the 92-word list
  [1 + (((hash(hash(pk, 'pn0')) % 92) + x * (1 + hash(hash(pk, 'pn1')) % 18)) % 92)::BIGINT];
CREATE OR REPLACE TABLE part AS
SELECT p_partkey,
       concat_ws(' ', tpch_color(p_partkey, 0), tpch_color(p_partkey, 1), tpch_color(p_partkey, 2),
                      tpch_color(p_partkey, 3), tpch_color(p_partkey, 4)) AS p_name,
       'Manufacturer#' || m AS p_mfgr,
       'Brand#' || m || rnd(hash(hash(p_partkey, 'pb')), 1, 5) AS p_brand,
       pick(['STANDARD','SMALL','MEDIUM','LARGE','ECONOMY','PROMO'], hash(hash(p_partkey, 'pt1'))) || ' ' ||
       pick(['ANODIZED','BURNISHED','PLATED','POLISHED','BRUSHED'], hash(hash(p_partkey, 'pt2'))) || ' ' ||
       pick(['TIN','NICKEL','BRASS','STEEL','COPPER'], hash(hash(p_partkey, 'pt3'))) AS p_type,
       rnd(hash(hash(p_partkey, 'ps')), 1, 50)::INTEGER AS p_size,
       pick(['SM','LG','MED','JUMBO','WRAP'], hash(hash(p_partkey, 'pc1'))) || ' ' ||
       pick(['CASE','BOX','BAG','JAR','PKG','PACK','CAN','DRUM'], hash(hash(p_partkey, 'pc2'))) AS p_container,
       tpch_retailprice(p_partkey) AS p_retailprice,
       tpch_text(p_partkey, 'pcm', 5, 22) AS p_comment
FROM (SELECT i + 1 AS p_partkey, rnd(hash(hash(i + 1, 'pm')), 1, 5) AS m FROM range(getvariable('n_part')) t(i));

-- ---------------------------------------------------------------- partsupp (4 rows per part)
CREATE OR REPLACE TABLE partsupp AS
SELECT p AS ps_partkey, tpch_ps_supp(p, j, getvariable('n_supp')) AS ps_suppkey,
       rnd(hash(hash(p, j, 'pq')), 1, 9999)::INTEGER AS ps_availqty,
       CAST(rnd(hash(hash(p, j, 'pcst')), 100, 100000) / 100 AS DECIMAL(15,2)) AS ps_supplycost,
       tpch_text(p * 4 + j, 'psc', 49, 198) AS ps_comment
FROM (SELECT i + 1 AS p FROM range(getvariable('n_part')) t(i)), (SELECT unnest([0,1,2,3]) AS j)
ORDER BY ps_partkey, j;

-- ---------------------------------------------------------------- customer
CREATE OR REPLACE TABLE customer AS
SELECT c_custkey, 'Customer#' || lpad(c_custkey::VARCHAR, 9, '0') AS c_name,
       tpch_vstr(c_custkey, 'ca', 10, 40) AS c_address, c_nationkey,
       tpch_phone(c_custkey, 'cp', c_nationkey) AS c_phone,
       CAST(rnd(hash(hash(c_custkey, 'cb')), -99999, 999999) / 100 AS DECIMAL(15,2)) AS c_acctbal,
       pick(['AUTOMOBILE','BUILDING','FURNITURE','MACHINERY','HOUSEHOLD'], hash(hash(c_custkey, 'cm'))) AS c_mktsegment,
       tpch_text(c_custkey, 'cc', 29, 116) AS c_comment
FROM (SELECT i + 1 AS c_custkey, rnd(hash(hash(i + 1, 'cn')), 0, 24)::INTEGER AS c_nationkey
      FROM range(getvariable('n_cust')) t(i));

-- ---------------------------------------------------------------- lineitem (1..7 per order)
-- order i (0-based) -> sparse key: 8 of every 32 keys used; orderdate uniform in
-- [1992-01-01, 1998-08-02] (ENDDATE-151); CURRENTDATE = 1995-06-17.
CREATE OR REPLACE TABLE lineitem AS
WITH o AS (
  SELECT i, (i // 8) * 32 + (i % 8) + 1 AS okey,
         DATE '1992-01-01' + rnd(hash(hash(i, 'od')), 0, 2405)::INTEGER AS odate,
         rnd(hash(hash(i, 'lc')), 1, 7) AS nlines
  FROM range(getvariable('n_orders')) t(i)),
l AS (
  SELECT okey, odate, ln, rnd(hash(hash(okey, ln, 'lp')), 1, getvariable('n_part')) AS pk,
         rnd(hash(hash(okey, ln, 'lq')), 1, 50) AS qty,
         odate + rnd(hash(hash(okey, ln, 'ls')), 1, 121)::INTEGER AS sdate
  FROM o, (SELECT unnest(range(1, 8)) AS ln) r WHERE ln <= nlines),
l2 AS (SELECT *, sdate + rnd(hash(hash(okey, ln, 'lr')), 1, 30)::INTEGER AS rdate FROM l)
SELECT okey AS l_orderkey, pk AS l_partkey,
       tpch_ps_supp(pk, rnd(hash(hash(okey, ln, 'lsk')), 0, 3), getvariable('n_supp')) AS l_suppkey,
       ln::INTEGER AS l_linenumber,
       CAST(qty AS DECIMAL(15,2)) AS l_quantity,
       CAST(qty * tpch_retailprice(pk) AS DECIMAL(15,2)) AS l_extendedprice,
       CAST(rnd(hash(hash(okey, ln, 'ld')), 0, 10) / 100 AS DECIMAL(15,2)) AS l_discount,
       CAST(rnd(hash(hash(okey, ln, 'lt')), 0, 8) / 100 AS DECIMAL(15,2)) AS l_tax,
       CASE WHEN rdate <= DATE '1995-06-17' THEN (CASE WHEN hash(hash(okey, ln, 'lf')) % 2 = 0 THEN 'R' ELSE 'A' END) ELSE 'N' END AS l_returnflag,
       CASE WHEN sdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END AS l_linestatus,
       sdate AS l_shipdate,
       odate + rnd(hash(hash(okey, ln, 'lcd')), 30, 90)::INTEGER AS l_commitdate,
       rdate AS l_receiptdate,
       pick(['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'], hash(hash(okey, ln, 'li'))) AS l_shipinstruct,
       pick(['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'], hash(hash(okey, ln, 'lm'))) AS l_shipmode,
       tpch_text(okey * 8 + ln, 'lcm', 10, 43) AS l_comment
FROM l2
ORDER BY l_orderkey, l_linenumber;

-- ---------------------------------------------------------------- orders
CREATE OR REPLACE TABLE orders AS
WITH agg AS (
  SELECT l_orderkey,
         sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS tp,
         bool_and(l_linestatus = 'F') AS all_f, bool_and(l_linestatus = 'O') AS all_o
  FROM lineitem GROUP BY l_orderkey),
o AS (
  SELECT i, (i // 8) * 32 + (i % 8) + 1 AS okey,
         DATE '1992-01-01' + rnd(hash(hash(i, 'od')), 0, 2405)::INTEGER AS odate,
         rnd(hash(hash(i, 'ck')), 0, getvariable('n_cust') - getvariable('n_cust') // 3 - 1) AS r
  FROM range(getvariable('n_orders')) t(i))
SELECT okey AS o_orderkey,
       (r // 2) * 3 + (r % 2) + 1 AS o_custkey,          -- never a multiple of 3
       CASE WHEN all_f THEN 'F' WHEN all_o THEN 'O' ELSE 'P' END AS o_orderstatus,
       CAST(tp AS DECIMAL(15,2)) AS o_totalprice,
       odate AS o_orderdate,
       pick(['1-URGENT','2-HIGH','3-MEDIUM','4-NOT SPECIFIED','5-LOW'], hash(hash(okey, 'opr'))) AS o_orderpriority,
       'Clerk#' || lpad(rnd(hash(hash(okey, 'ocl')), 1, getvariable('n_clerk'))::VARCHAR, 9, '0') AS o_clerk,
       0::INTEGER AS o_shippriority,
       tpch_text(okey, 'ocm', 19, 78) AS o_comment
FROM o JOIN agg ON agg.l_orderkey = o.okey
ORDER BY o_orderkey;

DROP TABLE tpch_words;
RESET VARIABLE tpch_pool;
