-- Rows :lo..:hi of documents; customer ids in 1..:ncust. Attachments: none, small text, small random
-- bytes, or (rarely) a larger random blob.
INSERT INTO documents
SELECT g, bench_gen.rnd(1, :ncust),
       initcap(bench_gen.words(bench_gen.rnd(2, 8)::int)),
       bench_gen.pick('{text/plain,text/markdown,text/html,application/pdf,application/json}'),
       body,
       decode(md5(body), 'hex'),
       CASE WHEN r < 0.4 THEN NULL
            WHEN r < 0.75 THEN convert_to(bench_gen.words(bench_gen.rnd(3, 30)::int), 'UTF8')
            WHEN r < 0.97 THEN bench_gen.gen_random_bytes(bench_gen.rnd(8, 64)::int)
            ELSE bench_gen.gen_random_bytes(1024) || bench_gen.gen_random_bytes(bench_gen.rnd(1, 1024)::int) END,
       CASE WHEN random() < 0.8 THEN round((random() * 100)::numeric, 2) END,
       bench_gen.rnd(1, 12)::int,
       random() < 0.25,
       c, c + random() * interval '300 days'
FROM (SELECT g, random() AS r,
             bench_gen.pick('{Dear customer,Hello,Hi team,Good morning,To whom it may concern,Dear colleagues}') || E',\n\n'
               || bench_gen.paragraph(bench_gen.rnd(1, 10)::int)
               || CASE WHEN random() < 0.6 THEN E'\n\n' || bench_gen.boilerplate() ELSE '' END
               || CASE WHEN random() < 0.3 THEN E'\n\n' || bench_gen.boilerplate() ELSE '' END
               || E'\n\n' || bench_gen.pick('{Kind regards,Best regards,Thanks,Sincerely,Cheers}') || E'\n'
               || bench_gen.pick('{Customer Support,Sales Team,Billing Department,Logistics,Account Management}') || ' - Acme Corp' AS body,
             timestamptz '2020-01-01' + random() * interval '1600 days' AS c
      FROM generate_series(:lo::bigint, :hi::bigint) g) s;
