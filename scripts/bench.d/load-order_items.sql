-- Items of orders :lo..:hi: 1 to 6 lines each (3.5 on average).
INSERT INTO order_items
SELECT o, l,
       upper(left(w, 3)) || '-' || lpad(bench_gen.rnd(1, 99999)::text, 5, '0'),
       initcap(w) || ' ' || bench_gen.pick('{S,M,L,XL,Pro,Mini,Max,Plus,Classic,Lite}'),
       CASE WHEN random() < 0.7 THEN 1 ELSE bench_gen.rnd(2, 12)::int END,
       round((1 + random() * random() * 300)::numeric, 2),
       CASE WHEN random() < 0.8 THEN 0 ELSE round((random() * 30)::numeric, 2) END,
       random() < 0.05
FROM generate_series(:lo::bigint, :hi::bigint) o,
     LATERAL generate_series(1, 1 + (o % 6)::int) l,
     LATERAL bench_gen.words(2) w;
