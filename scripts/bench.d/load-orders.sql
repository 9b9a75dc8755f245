-- Rows :lo..:hi of orders; customer ids in 1..:ncust.
INSERT INTO orders
SELECT g, bench_gen.rnd(1, :ncust),
       timestamptz '2021-01-01' + random() * interval '1400 days',
       bench_gen.pick('{delivered,delivered,delivered,delivered,shipped,shipped,pending,paid,cancelled,returned}'),
       bench_gen.pick('{USD,USD,USD,EUR,EUR,GBP,PLN,SEK}'),
       round((5 + random() * random() * 900)::numeric, 2),
       random() < 0.9,
       bench_gen.rnd(1, 9999) || ' ' || initcap(bench_gen.words(1)) || ' ' ||
         bench_gen.pick('{Street,Avenue,Road,Lane,Way,Boulevard,Drive}') || ', ' || lpad(bench_gen.rnd(1000, 99999)::text, 5, '0') || ' ' ||
         bench_gen.pick('{Springfield,Riverside,Franklin,Greenville,Bristol,Clinton,Fairview,Salem,Madison,Georgetown,Lyon,Porto,Hamburg,Utrecht,Gdansk}'),
       jsonb_build_object('channel', bench_gen.pick('{web,web,mobile,store,phone}'),
                          'coupon', CASE WHEN random() < 0.2 THEN upper(bench_gen.words(1)) || bench_gen.rnd(5, 50) END,
                          'items', bench_gen.rnd(1, 5),
                          'weight_kg', round((random() * 30)::numeric, 3)),
       CASE WHEN random() < 0.3 THEN bench_gen.sentence(bench_gen.rnd(3, 15)::int) END
FROM generate_series(:lo::bigint, :hi::bigint) g;
