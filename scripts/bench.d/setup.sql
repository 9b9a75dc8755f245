-- scripts/bench: schema of the generated benchmark database and the helpers that fill it.
-- Helpers live in schema bench_gen, dropped (with pgcrypto) once the data is loaded, so the dumped
-- database holds only the five tables.
CREATE SCHEMA bench_gen;
CREATE EXTENSION pgcrypto SCHEMA bench_gen;

-- n random words out of ~400 real ones: text that compresses like prose, not like a repeated string.
CREATE FUNCTION bench_gen.words(n int) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v constant text[] := ARRAY[
    'the','of','and','to','in','is','that','for','it','as','was','with','be','by','on','not','he',
    'this','are','or','his','from','at','which','but','have','an','they','you','were','her','she',
    'there','been','one','all','we','their','has','would','when','if','so','no','will','more','can',
    'out','up','into','who','them','some','could','only','other','new','then','than','its','time',
    'also','two','may','first','like','these','over','any','what','such','after','most','through',
    'years','where','about','much','even','because','those','both','made','many','well','while',
    'before','being','same','under','state','world','between','during','against','each','life',
    'long','since','another','three','without','never','back','own','found','still','great',
    'people','part','work','company','system','group','market','program','number','government',
    'business','report','service','order','customer','product','price','account','payment',
    'shipping','delivery','invoice','address','street','city','country','region','email','phone',
    'support','request','issue','ticket','status','pending','shipped','delivered','cancelled',
    'returned','refund','discount','quantity','total','amount','balance','credit','card','bank',
    'transfer','warehouse','stock','supplier','category','brand','model','color','size','weight',
    'package','tracking','carrier','session','login','logout','click','view','search','cart',
    'checkout','page','browser','mobile','device','network','server','error','warning','success',
    'failure','timeout','retry','latency','response','user','admin','manager','team','project',
    'meeting','schedule','review','update','release','version','feature','bug','patch','deploy',
    'build','test','quality','performance','security','privacy','policy','contract','agreement',
    'term','renewal','subscription','plan','monthly','annual','trial','premium','basic','standard',
    'enterprise','partner','vendor','client','office','branch','store','online','offline','local',
    'global','north','south','east','west','central','green','blue','red','black','white','small',
    'medium','large','extra','light','heavy','fast','slow','quick','early','late','morning',
    'evening','night','today','tomorrow','yesterday','week','month','year','quarter','spring',
    'summer','autumn','winter','holiday','weekend','monday','friday','january','march','june',
    'september','december','coffee','tea','water','bread','cheese','apple','orange','garden',
    'kitchen','table','chair','window','door','house','river','mountain','forest','ocean','island',
    'bridge','road','train','plane','ship','hotel','room','travel','journey','family','friend',
    'child','mother','father','brother','sister','doctor','teacher','student','engineer','artist',
    'writer','reader','music','movie','book','story','history','science','nature','energy','power',
    'sound','voice','signal','data','record','file','folder','document','image','photo','video',
    'message','letter','note','comment','feedback','rating','score','level','stage','phase','step',
    'process','method','result','value','change','growth','increase','decrease','average','median',
    'minimum','maximum','estimate','forecast','budget','cost','revenue','profit','loss','tax','fee',
    'charge','rate','share','bond','fund','asset','risk','return','goal','target','strategy',
    'vision','mission','culture','care','trust','safety','health','happy','simple','clear','open',
    'free','easy','hard','real','true','final'];
  r text := '';
BEGIN
  FOR i IN 1..n LOOP
    r := r || v[1 + floor(random() ^ 3 * cardinality(v))::int] || ' ';
  END LOOP;
  RETURN rtrim(r);
END $$;

-- A sentence: capitalised, n words, full stop.
CREATE FUNCTION bench_gen.sentence(n int) RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT initcap(left(w, 1)) || substr(w, 2) || '.' FROM bench_gen.words(n) w $$;

-- A paragraph of n sentences of 5 to 20 words.
CREATE FUNCTION bench_gen.paragraph(n int) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE r text := '';
BEGIN
  FOR i IN 1..n LOOP
    r := r || bench_gen.sentence(5 + floor(random() * 16)::int) || ' ';
  END LOOP;
  RETURN rtrim(r);
END $$;

-- One random element of an array (inlined by the planner).
CREATE FUNCTION bench_gen.pick(a text[]) RETURNS text LANGUAGE sql VOLATILE AS
  $$ SELECT a[1 + floor(random() * cardinality(a))::int] $$;

CREATE FUNCTION bench_gen.rnd(lo bigint, hi bigint) RETURNS bigint LANGUAGE sql VOLATILE AS
  $$ SELECT lo + floor(random() * (hi - lo + 1))::bigint $$;

CREATE TABLE customers (
  id            bigint NOT NULL,
  external_id   uuid NOT NULL,
  first_name    text NOT NULL,
  last_name     text NOT NULL,
  email         text NOT NULL,
  phone         text,
  street        text,
  city          text,
  postal_code   text,
  country       text NOT NULL,
  created_at    timestamptz NOT NULL,
  is_active     boolean NOT NULL,
  credit_limit  numeric(12,2),
  preferences   jsonb,
  notes         text
);

CREATE TABLE orders (
  id               bigint NOT NULL,
  customer_id      bigint NOT NULL,
  placed_at        timestamptz NOT NULL,
  status           text NOT NULL,
  currency         char(3) NOT NULL,
  total            numeric(12,2) NOT NULL,
  is_paid          boolean NOT NULL,
  shipping_address text,
  metadata         jsonb,
  note             text
);

CREATE TABLE order_items (
  order_id      bigint NOT NULL,
  line_no       int NOT NULL,
  sku           text NOT NULL,
  product_name  text NOT NULL,
  quantity      int NOT NULL,
  unit_price    numeric(10,2) NOT NULL,
  discount      numeric(4,2) NOT NULL,
  gift_wrap     boolean NOT NULL
);

CREATE TABLE events (
  id            bigint NOT NULL,
  occurred_at   timestamptz NOT NULL,
  customer_id   bigint,
  session_id    uuid NOT NULL,
  kind          text NOT NULL,
  source        text NOT NULL,
  client_ip     inet,
  duration_ms   int,
  success       boolean NOT NULL,
  payload       jsonb NOT NULL,
  message       text
);

CREATE TABLE documents (
  id            bigint NOT NULL,
  customer_id   bigint NOT NULL,
  title         text NOT NULL,
  mime_type     text NOT NULL,
  body          text NOT NULL,
  checksum      bytea NOT NULL,
  attachment    bytea,
  score         numeric(5,2),
  version       int NOT NULL,
  is_public     boolean NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);

-- Documents share boilerplate, as real ones do: greetings, signatures, legal paragraphs.
CREATE FUNCTION bench_gen.boilerplate() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT bench_gen.pick(ARRAY[
  'This message and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it. Any unauthorised use, disclosure or copying is prohibited.',
  'Orders are shipped within two business days. Delivery times depend on the carrier and the destination country. Tracking information is sent by email as soon as the package leaves our warehouse.',
  'You may return any item within 30 days of delivery for a full refund, provided it is unused and in its original packaging. Refunds are issued to the original payment method within 5 to 10 business days.',
  'Prices include VAT where applicable. Import duties and taxes for deliveries outside the European Union are the responsibility of the recipient and are not included in the order total.',
  'Your subscription renews automatically at the end of each billing period unless cancelled at least 24 hours before the renewal date. You can manage your plan from the account settings page.',
  'We process personal data in accordance with our privacy policy. You have the right to access, correct or delete your data at any time by contacting our support team.',
  'Please do not reply to this automatically generated message. For questions about your order, visit the help centre or contact customer support.',
  'Meeting notes: attendees reviewed the open action items, agreed on the release schedule and assigned owners for the remaining tasks. Next review in two weeks.'
]) $$;
