# Shared by scripts/*: install what is missing, build the jar when it is missing or stale.
# Sourced, not run.

cairn_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

apt_install() {
  # Installs Debian packages when running as root; otherwise says what is missing.
  if [ "$(id -u)" != 0 ]; then
    echo "cairn: missing $*; install them (as root: apt-get install $*)" >&2
    return 1
  fi
  if [ -z "${CAIRN_APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    export CAIRN_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

ensure_java_maven() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

ensure_postgres() {
  # Server binaries for the demo and the tests; Debian keeps them off PATH.
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    apt_install postgresql postgresql-contrib
  fi
  command -v openssl >/dev/null 2>&1 || apt_install openssl
  command -v lz4 >/dev/null 2>&1 || apt_install lz4
  return 0
}

# Builds target/cairn.jar when it is missing or older than any source file or the pom.
ensure_jar() {
  local root jar
  root=$(cairn_root)
  jar="$root/target/cairn.jar"
  if [ ! -f "$jar" ] || [ -n "$(find "$root/src/main" "$root/pom.xml" -newer "$jar" -type f -print -quit)" ]; then
    ensure_java_maven
    echo "cairn: building $jar ..." >&2
    (cd "$root" && mvn -q -B -ntp -DskipTests package >&2)
  fi
}

# JVM options for a cairn command (CAIRN_JAVA_OPTS overrides). A backup or restore is a short process:
# C1-compiled code is fast enough and skips most JIT work, a small serial-collected heap keeps the
# resident size well under 300 MB. The agent runs for months: it keeps the optimizing compiler.
cairn_java_opts() {
  if [ -n "${CAIRN_JAVA_OPTS:-}" ]; then
    echo "$CAIRN_JAVA_OPTS"
  elif [ "${1:-}" = agent ]; then
    echo "-Xmx192m -XX:+UseSerialGC"
  else
    echo "-Xmx160m -Xmn96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
  fi
}
