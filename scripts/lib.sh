# Shared by scripts/*: install what is missing, build the jar when it is missing or stale.
# Sourced, not run.

cairn_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

apt_install() {
  # Installs Debian packages when running as root; otherwise says what is missing and fails.
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "cairn: missing $*; install them (as root: apt-get install $*)" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${CAIRN_APT_UPDATED:-}" ]; then
    apt-get update -qq >&2
    export CAIRN_APT_UPDATED=1
  fi
  # Cairn's scripts start their own clusters: the package must not create or start one of its own, and
  # no service starts during the install (containers have no init to start them anyway).
  mkdir -p /etc/postgresql-common/createcluster.d
  echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.d/zz-cairn-no-main.conf
  local policy_rc=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy_rc=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' >"$policy_rc"
    chmod 755 "$policy_rc"
  fi
  local status=0
  apt-get install -y -qq --no-install-recommends "$@" >&2 || status=$?
  [ -z "$policy_rc" ] || rm -f "$policy_rc"
  return "$status"
}

ensure_java_maven() {
  if ! command -v javac >/dev/null 2>&1; then
    if apt-cache show openjdk-17-jdk-headless >/dev/null 2>&1; then apt_install openjdk-17-jdk-headless
    else apt_install default-jdk-headless; fi
  fi
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

ensure_postgres() {
  # Server binaries for the demo and the tests; Debian keeps them off PATH.
  if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
    if apt-cache show postgresql-contrib >/dev/null 2>&1; then apt_install postgresql postgresql-contrib
    else apt_install postgresql; fi
  fi
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  command -v lz4 >/dev/null 2>&1 || apt_install lz4
  # The fidelity tests: PostGIS (an extension with a configuration table), and a de_DE locale for a
  # database whose lc_monetary changes money's text. Both are skipped, not failed, when missing.
  local major
  major=$(basename "$(dirname "$(dirname "$(compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -1)")")")
  if [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ] \
      && apt-cache show "postgresql-$major-postgis-3" >/dev/null 2>&1; then
    apt_install "postgresql-$major-postgis-3"
  fi
  if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$' && [ "$(id -u)" = 0 ]; then
    command -v locale-gen >/dev/null 2>&1 || apt_install locales
    if [ -f /etc/locale.gen ]; then
      sed -i 's/^# *de_DE.UTF-8 UTF-8/de_DE.UTF-8 UTF-8/' /etc/locale.gen
      locale-gen >/dev/null 2>&1 || true
    fi
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    # initdb and postgres refuse to run as root: clusters run as this user
    useradd --system --user-group --create-home --home-dir /var/lib/postgresql --shell /bin/bash postgres
  fi
}

ensure_browser() {
  # Headless Chromium and its WebDriver for the web console's browser test (ConsoleBrowserIT).
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    apt_install chromium chromium-driver
  fi
}

# Builds target/cairn.jar when it is missing or older than any source file or the pom.
ensure_jar() {
  local root jar
  root=$(cairn_root)
  jar="$root/target/cairn.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
    ensure_java_maven
    echo "cairn: building $jar ..." >&2
    local log
    log=$(mktemp)
    if ! (cd "$root" && mvn -q -B -ntp -DskipTests package >"$log" 2>&1); then
      cat "$log" >&2
      rm -f "$log"
      echo "cairn: the build failed" >&2
      return 1
    fi
    rm -f "$log"
  fi
  ensure_cds
}

# A class-data-sharing archive of the classes a command loads (Vert.x, Netty, picocli's model, both drivers, the
# archive and restore code): every command then starts sooner. Made once per jar, and again when the jar is
# rebuilt, by one JVM that runs a real backup, list, verify, restore and restore test (cli.CdsTraining) against a
# throwaway cluster on a private socket: measured on a small backup, 0.24 s and 0.32 CPU-s less per command
# than an archive of a run stopped at its first connection, which is the fallback when no server binaries are
# at hand. Without an archive (or if it cannot be made) commands run as before.
ensure_cds() {
  local root jar jsa tmp
  root=$(cairn_root)
  jar="$root/target/cairn.jar"
  jsa="$root/target/cairn.jsa"
  if [ -f "$jsa" ] && [ "$jsa" -nt "$jar" ]; then
    return 0
  fi
  tmp=$(mktemp -d)
  if ! cds_train "$jar" "$tmp" >"$tmp/train.log" 2>&1 || [ ! -s "$tmp/cairn.jsa" ]; then
    echo "cairn: class-data archive made without the training run (each command starts ~0.25 s later):" \
      "$(tail -1 "$tmp/train.log" 2>/dev/null)" >&2
    rm -f "$tmp/cairn.jsa"
    # shellcheck disable=SC2046 # word splitting of the options is intended
    java $(CAIRN_CDS=off cairn_java_opts) -XX:ArchiveClassesAtExit="$tmp/cairn.jsa" -jar "$jar" backup \
      --db "postgresql://cds@127.0.0.1:1/cds?connect_timeout=2" --repo "$tmp/repo" >/dev/null 2>&1 || true
  fi
  [ -s "$tmp/cairn.jsa" ] && mv -f "$tmp/cairn.jsa" "$jsa" 2>/dev/null
  rm -rf "$tmp"
}

# cds_train JAR DIR: writes DIR/cairn.jsa from CdsTraining's commands against a cluster in DIR (stopped after).
cds_train() {
  local jar=$1 dir=$2 bin as=() status=0
  bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
  [ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "no PostgreSQL server binaries (initdb) to train with"; return 1; }
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "running as root and no postgres user to run initdb as"; return 1; }
    chown postgres "$dir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >/dev/null || { echo "initdb failed"; return 1; }
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses='' \
    -c unix_socket_directories='$dir' -c port=5432 -c fsync=off" start >/dev/null || { echo "the training server did not start"; return 1; }
  local db="postgresql:///train?host=$dir&port=5432&user=postgres"
  "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "postgresql:///postgres?host=$dir&port=5432&user=postgres" \
      -c "CREATE DATABASE train" &&
    "$bin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" -c "
      CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, born date, balance numeric(12,2));
      CREATE TABLE orders (id bigserial PRIMARY KEY, customer int REFERENCES customers, at timestamptz,
                           doc jsonb, tag uuid, raw bytea);
      CREATE INDEX ON orders (at);
      CREATE VIEW big_orders AS SELECT * FROM orders WHERE (doc->>'n')::int > 5;
      INSERT INTO customers SELECT g, md5(g::text), date '2000-01-01' + g % 9000, g * 1.5
        FROM generate_series(1, 5000) g;
      INSERT INTO orders (customer, at, doc, tag, raw)
        SELECT 1 + g % 5000, now() - g * interval '1 min', jsonb_build_object('n', g % 10, 's', md5(g::text)),
               md5(g::text)::uuid, decode(md5(g::text), 'hex') FROM generate_series(1, 30000) g;
      ANALYZE;" &&
    # shellcheck disable=SC2046 # word splitting of the options is intended
    java $(CAIRN_CDS=off cairn_java_opts) -XX:ArchiveClassesAtExit="$dir/cairn.jsa" -cp "$jar" \
      dev.cairn.cli.CdsTraining "$db" "postgresql:///restored?host=$dir&port=5432&user=postgres" \
      "postgresql:///postgres?host=$dir&port=5432&user=postgres" "$dir/repo" || status=1
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  return "$status"
}

# JVM options for a cairn command (CAIRN_JAVA_OPTS overrides). A backup or restore is a short process:
# C1-compiled code is fast enough and skips most JIT work, a small serial-collected heap keeps the
# resident size well under 300 MB. The agent runs for months: it keeps the optimizing compiler. The
# class-data archive is used when ensure_cds made one (its warnings silenced: a stale archive is
# simply not used). An encrypted backup or restore (key options among the arguments, or CAIRN_PASSPHRASE /
# CAIRN_IDENTITY set) needs the optimizing compiler for AES-GCM (its AES-NI and carry-less-multiply
# intrinsics are C2's; C1-only code encrypts at tens of MB/s), but only there: scripts/jvm/c2-hot.json lets
# C2 compile the JDK's cipher, the chunk stages and lz4-java's hashing, and everything else stays C1
# (measured on a 1 GiB backup: C2 compiling all it wanted cost 1.26 s of CPU, restricted 0.22 s, of about
# 6 s for the whole run). The PITR commands and restore --at keep the optimizing compiler everywhere (the
# SHA-256 of a base backup's tar; SHA-NI is C2's too).
cairn_java_opts() {
  local cds=""
  local jsa
  jsa="$(cairn_root)/target/cairn.jsa"
  if [ "${CAIRN_CDS:-on}" != off ] && [ -f "$jsa" ] && [[ "$jsa" != *[[:space:]]* ]]; then
    cds=" -XX:SharedArchiveFile=$jsa -Xlog:cds=off -Xlog:cds+dynamic=off"
  fi
  if [ -n "${CAIRN_JAVA_OPTS:-}" ]; then
    echo "$CAIRN_JAVA_OPTS"
  elif [ "${1:-}" = agent ]; then
    echo "-Xmx192m -XX:+UseSerialGC$cds"
  else
    local c1=" -XX:TieredStopAtLevel=1"
    local hot
    hot="$(cairn_root)/scripts/jvm/c2-hot.json"
    [[ "$hot" != *[[:space:]]* ]] || hot=""   # a path with spaces cannot be passed through: C2 everywhere
    # -DisplayVMOutput: the JVM would print "2 compiler directives added" on stdout, where the result goes
    local c2=" -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=$hot -XX:-DisplayVMOutput"
    [ -n "$hot" ] || c2=""
    case " $* " in *" --passphrase-file"*|*" --recipient"*|*" --identity"*) c1=$c2 ;; esac
    [ -z "${CAIRN_PASSPHRASE:-}${CAIRN_IDENTITY:-}" ] || c1=$c2
    # A base backup or a PITR restore (restore --at too) digests the whole tar with SHA-256: SHA-NI is C2's
    case " $* " in " pitr "*|*" --at "*) c1="" ;; esac
    echo "-Xmx160m -Xmn96m -XX:+UseSerialGC$c1$cds"
  fi
}
