-- Rows :lo..:hi of events; customer ids in 1..:ncust. Messages are mostly log-line templates with
-- random values filled in, like real application events; some are free text.
INSERT INTO events
SELECT g, at, cust, gen_random_uuid(), k,
       bench_gen.pick('{web,web,web,ios,android,api,api,batch}'),
       ip, ms, ok,
       jsonb_build_object('path', path,
                          'status', CASE WHEN ok THEN bench_gen.pick('{200,200,200,200,201,204,301,304}') ELSE bench_gen.pick('{400,401,403,404,409,500,502,503}') END::int,
                          'bytes', bench_gen.rnd(100, 200000),
                          'agent', bench_gen.pick('{Mozilla/5.0 (Windows NT 10.0; Win64; x64),Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X),curl/8.4.0,okhttp/4.12.0,python-requests/2.31.0,Go-http-client/2.0}'),
                          'ref', CASE WHEN random() < 0.5 THEN bench_gen.words(1) END),
       CASE floor(random() * 10)::int
         WHEN 0 THEN 'GET ' || path || ' returned ' || CASE WHEN ok THEN 200 ELSE 500 END || ' in ' || ms || ' ms'
         WHEN 1 THEN 'User ' || cust || ' logged in from ' || coalesce(host(ip), 'unknown address')
         WHEN 2 THEN 'Added SKU-' || bench_gen.rnd(1, 99999) || ' to cart (quantity ' || bench_gen.rnd(1, 5) || ')'
         WHEN 3 THEN 'Search for "' || bench_gen.words(bench_gen.rnd(1, 3)::int) || '" returned ' || bench_gen.rnd(0, 500) || ' results'
         WHEN 4 THEN 'Checkout completed for order ' || bench_gen.rnd(1, 9999999) || ', total ' || round((random() * 500)::numeric, 2) || ' ' || bench_gen.pick('{USD,EUR,GBP}')
         WHEN 5 THEN 'Payment declined: ' || bench_gen.pick('{insufficient funds,card expired,suspected fraud,invalid CVC}') || ' (card ending ' || lpad(bench_gen.rnd(0, 9999)::text, 4, '0') || ')'
         WHEN 6 THEN 'Timeout calling ' || bench_gen.pick('{inventory,pricing,shipping,payments,search}') || '-service after ' || ms || ' ms, retry ' || bench_gen.rnd(1, 3) || ' of 3'
         WHEN 7 THEN 'Session expired after ' || bench_gen.rnd(300, 3600) || ' seconds of inactivity'
         WHEN 8 THEN bench_gen.sentence(bench_gen.rnd(4, 24)::int)
         ELSE NULL END
FROM (SELECT g,
             timestamptz '2024-01-01' + (g / 12.0) * interval '1 second' + random() * interval '5 seconds' AS at,
             CASE WHEN random() < 0.9 THEN bench_gen.rnd(1, :ncust) END AS cust,
             bench_gen.pick('{page_view,page_view,page_view,click,click,search,add_to_cart,checkout,login,logout,error,api_call}') AS k,
             CASE WHEN random() < 0.8 THEN ('10.' || bench_gen.rnd(0, 255) || '.' || bench_gen.rnd(0, 255) || '.' || bench_gen.rnd(1, 254))::inet END AS ip,
             (random() * random() * 5000)::int AS ms,
             random() < 0.97 AS ok,
             '/' || replace(bench_gen.words(bench_gen.rnd(1, 3)::int), ' ', '/') AS path
      FROM generate_series(:lo::bigint, :hi::bigint) g) s;
