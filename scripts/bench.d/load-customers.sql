-- Rows :lo..:hi of customers.
INSERT INTO customers
SELECT g, gen_random_uuid(), fn, ln,
       lower(fn) || '.' || lower(ln) || bench_gen.rnd(1, 9999) || '@' ||
         bench_gen.pick('{gmail.com,yahoo.com,outlook.com,example.org,mail.de,proton.me,icloud.com,acme-corp.com}'),
       '+' || bench_gen.rnd(1, 99) || ' ' || bench_gen.rnd(100, 999) || ' ' || lpad(bench_gen.rnd(0, 9999999)::text, 7, '0'),
       bench_gen.rnd(1, 9999) || ' ' || initcap(bench_gen.words(1)) || ' ' ||
         bench_gen.pick('{Street,Avenue,Road,Lane,Way,Boulevard,Drive,Court,Place,Square}'),
       bench_gen.pick('{Springfield,Riverside,Franklin,Greenville,Bristol,Clinton,Fairview,Salem,Madison,Georgetown,Arlington,Ashland,Dover,Oxford,Jackson,Burlington,Manchester,Milton,Newport,Auburn,Lyon,Porto,Hamburg,Utrecht,Gdansk,Turin,Leeds,Malmo,Ghent,Bilbao}'),
       lpad(bench_gen.rnd(1000, 99999)::text, 5, '0'),
       bench_gen.pick('{US,US,US,GB,DE,FR,NL,ES,IT,PL,SE,BE,PT,CA,AU}'),
       timestamptz '2019-01-01' + random() * interval '2000 days',
       random() < 0.85,
       round((random() * 20000)::numeric, 2),
       jsonb_build_object('newsletter', random() < 0.3,
                          'language', bench_gen.pick('{en,en,en,de,fr,nl,es,it,pl,sv}'),
                          'theme', bench_gen.pick('{light,dark,system}'),
                          'tags', to_jsonb(string_to_array(bench_gen.words(bench_gen.rnd(0, 3)::int), ' '))),
       CASE WHEN random() < 0.4 THEN bench_gen.sentence(bench_gen.rnd(4, 20)::int) END
FROM (SELECT g,
             bench_gen.pick('{James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,Barbara,Richard,Susan,Joseph,Jessica,Thomas,Sarah,Charles,Karen,Daniel,Lisa,Matthew,Nancy,Anthony,Betty,Mark,Sandra,Paul,Ashley,Steven,Emily,Andrew,Donna,Kenneth,Michelle,Joshua,Carol,Kevin,Amanda,Brian,Melissa,George,Deborah,Timothy,Stephanie,Ronald,Rebecca,Jason,Sharon,Anna,Lukas,Sofia,Mateo,Emma,Noah,Lea,Hugo,Chloe,Luca,Julia,Jan,Eva,Pierre,Marie,Hans,Ingrid,Piotr,Zofia,Lars}') AS fn,
             bench_gen.pick('{Smith,Johnson,Williams,Brown,Jones,Garcia,Miller,Davis,Rodriguez,Martinez,Hernandez,Lopez,Gonzalez,Wilson,Anderson,Thomas,Taylor,Moore,Jackson,Martin,Lee,Perez,Thompson,White,Harris,Sanchez,Clark,Ramirez,Lewis,Robinson,Walker,Young,Allen,King,Wright,Scott,Torres,Nguyen,Hill,Flores,Green,Adams,Nelson,Baker,Hall,Rivera,Campbell,Mitchell,Carter,Roberts,Muller,Schmidt,Schneider,Fischer,Weber,Dubois,Bernard,Moreau,Rossi,Russo,Ferrari,Jansen,de Vries,Nowak,Kowalski,Andersson,Johansson,Silva,Santos,Peeters}') AS ln
      FROM generate_series(:lo::bigint, :hi::bigint) g) s;
