# Shared setup for tools/test.sh and tools/demo.sh (sourced, not run).
#
# Environment a user may set:
#   ODOO_PATH      an Odoo 19 source checkout to use (the folder holding odoo/ and addons/)
#   ODOO_INSTALL=1 clone Odoo 19.0 from Odoo's official repository into $PSB_CACHE/odoo when no Odoo 19 is found
#   PSB_PYTHON     the Python interpreter to build the virtualenv from (default: python3)
#   LXML_VERSION   run against this lxml (e.g. 4.9.3): a throwaway virtualenv $PSB_CACHE/venv-lxml-<version>
#                  without the machine's packages (tools/test.sh --plain only)
#   PSB_CACHE      where the virtualenvs and a cloned Odoo go (default ~/.cache/sale_econnect_psb/<checkout>):
#                  outside the checkout, which is the module: Odoo's translation export reads every .py
#                  file under the module's folder, a virtualenv's too
#   PGHOST/PGPORT/PGUSER  the PostgreSQL server and role Odoo uses (default: local socket, role "odoo")
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD="$ROOT/.build"
MODULE=sale_econnect_psb
PSB_CACHE=${PSB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE/$(basename "$ROOT")-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)}
VENV="$PSB_CACHE/venv"
ODOO_GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
mkdir -p "$BUILD" "$PSB_CACHE"
# Earlier versions kept the virtualenv and the cloned Odoo inside the checkout, where Odoo's
# translation export reads their .py files: gone (they were ours, made by these tools).
[ -f "$ROOT/.venv/.requirements-dev.sha" ] && rm -rf "$ROOT/.venv"
[ -d "$ROOT/.odoo/odoo" ] && [ ! -e "$PSB_CACHE/odoo" ] && mv "$ROOT/.odoo" "$PSB_CACHE/odoo"

say() { printf '\n==> %s\n' "$*"; }
banner() {
    printf '\n%s\n' "################################################################################"
    printf '### %s\n' "$@"
    printf '%s\n\n' "################################################################################"
}

# --- Python virtualenv -------------------------------------------------------------
# pip install into the virtualenv, its output in $BUILD/pip.log. The virtualenv sees the machine's
# packages, whose own requirements pip's resolver then reports as "dependency conflicts" in an ERROR
# block although the install succeeded: that report stays in the log, with one calm line here.
quiet_pip() {
    if ! "$PY" -m pip install --quiet --disable-pip-version-check "$@" > "$BUILD/pip.log" 2>&1; then
        cat "$BUILD/pip.log"
        echo "pip install $* failed (above, and in $BUILD/pip.log)"
        return 1
    fi
    if grep -q "dependency conflicts" "$BUILD/pip.log"; then
        echo "    (installed; pip's notes on other packages of the machine are in $BUILD/pip.log)"
    fi
}

# --system-site-packages: an Odoo 19 installed for the machine's python3 stays importable.
setup_venv() {
    local base=${PSB_PYTHON:-python3}
    local site=--system-site-packages extra=()
    if [ -n "${LXML_VERSION:-}" ]; then
        # Only what requirements-dev.txt names, with this lxml: the machine's lxml must not leak in.
        VENV="$PSB_CACHE/venv-lxml-$LXML_VERSION"
        site=""
        extra=("lxml==$LXML_VERSION")
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtualenv $VENV"
        "$base" -m venv ${site:+"$site"} "$VENV"
    fi
    PY="$VENV/bin/python"
    local stamp="$VENV/.requirements-dev.sha"
    local want
    want=$(sha256sum "$ROOT/requirements-dev.txt" | cut -d' ' -f1)${extra:+ ${extra[*]}}
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "Installing the Python dependencies (requirements-dev.txt${extra:+ ${extra[*]}})"
        quiet_pip -r "$ROOT/requirements-dev.txt" "${extra[@]}"
        echo "$want" > "$stamp"
    fi
    if [ -n "${LXML_VERSION:-}" ]; then
        say "lxml $("$PY" -c 'import lxml.etree as e; print(".".join(map(str, e.LXML_VERSION[:3])), "with libxml2", ".".join(map(str, e.LIBXML_VERSION)))')"
    fi
}

# --- Odoo 19 -------------------------------------------------------------------------
# Installs an Odoo source checkout's Python requirements into the virtualenv. Odoo pins the
# Python 3.12 versions of its dependencies for Ubuntu 24.04; those install cleanly on 3.11 as
# wheels, unlike some of the 3.11 pins (psycopg2 and python-ldap need compilers and headers).
install_odoo_requirements() {
    local src=$1
    local stamp="$VENV/.odoo-requirements.sha"
    local want
    want=$(sha256sum "$src/requirements.txt" | cut -d' ' -f1)
    [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
    say "Installing Odoo's Python requirements from $src/requirements.txt"
    "$PY" - "$src/requirements.txt" > "$BUILD/odoo-requirements.txt" <<'EOF'
import sys
from packaging.requirements import Requirement
env = {"python_version": "3.12", "python_full_version": "3.12.0", "sys_platform": sys.platform,
       "platform_system": "Linux", "os_name": "posix"}
for line in open(sys.argv[1]):
    spec = line.split("#")[0].strip()
    if not spec:
        continue
    req = Requirement(spec)
    if req.marker is not None and not req.marker.evaluate(env):
        continue
    name = {"psycopg2": "psycopg2-binary"}.get(req.name.lower(), req.name)
    if name.lower() == "python-ldap":   # only for auth_ldap, needs system headers
        continue
    print(f"{name}{req.specifier}")
EOF
    quiet_pip -r "$BUILD/odoo-requirements.txt"
    echo "$want" > "$stamp"
}

odoo_version_ok() {
    local pp=${PYTHONPATH:-}
    [ -n "${ODOO_SRC:-}" ] && pp="$ODOO_SRC${pp:+:$pp}"
    PYTHONPATH="$pp" "$PY" -c 'import odoo.release as r, sys; sys.exit(r.version_info[0] != 19)' >/dev/null 2>&1
}

# Sets ODOO_SRC (may stay empty when odoo is importable as installed) and ODOO_FOUND=yes|no.
find_odoo() {
    ODOO_FOUND=no
    ODOO_SRC=""
    if [ -n "${ODOO_PATH:-}" ]; then
        ODOO_SRC=$(cd "$ODOO_PATH" && pwd)
        install_odoo_requirements "$ODOO_SRC"
    elif odoo_version_ok; then
        ODOO_SRC=""
    elif [ -d "$PSB_CACHE/odoo/odoo" ]; then
        ODOO_SRC="$PSB_CACHE/odoo"
        install_odoo_requirements "$ODOO_SRC"
    elif [ "${ODOO_INSTALL:-0}" = 1 ]; then
        say "Cloning Odoo 19.0 from $ODOO_GIT_URL into $PSB_CACHE/odoo (ODOO_INSTALL=1)"
        if timeout 900 git clone --quiet --depth 1 --branch 19.0 "$ODOO_GIT_URL" "$PSB_CACHE/odoo"; then
            ODOO_SRC="$PSB_CACHE/odoo"
            install_odoo_requirements "$ODOO_SRC"
        else
            rm -rf "$PSB_CACHE/odoo"
        fi
    fi
    if odoo_version_ok; then
        ODOO_FOUND=yes
        if [ -n "$ODOO_SRC" ]; then
            export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
        fi
        ODOO_PKG=$("$PY" -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))')
        # Odoo finds a module by its folder name: link this checkout as sale_econnect_psb, from a
        # folder outside the checkout (a link inside it would make the module contain itself).
        local links
        links="${TMPDIR:-/tmp}/$MODULE-addons-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)"
        mkdir -p "$links"
        ln -sfn "$ROOT" "$links/$MODULE"
        ADDONS_PATH="$links"
        [ -d "$ODOO_PKG/addons" ] && ADDONS_PATH="$ADDONS_PATH,$ODOO_PKG/addons"
        [ -d "$ODOO_PKG/odoo/addons" ] && ADDONS_PATH="$ADDONS_PATH,$ODOO_PKG/odoo/addons"
    fi
}

# --- Chromium (Odoo's browser tours) ----------------------------------------------------
# Installs Debian's chromium when we may (root and apt-get); otherwise says loudly that the tours
# will be skipped. Sets CHROMIUM_FOUND=yes|no.
setup_chromium() {
    CHROMIUM_FOUND=no
    if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1 \
            && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing chromium for the browser tours (apt-get)"
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
            > "$BUILD/chromium-install.log" 2>&1 || echo "apt-get could not install chromium: see $BUILD/chromium-install.log"
    fi
    if command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1; then
        CHROMIUM_FOUND=yes
    else
        banner "NO CHROMIUM FOUND: THE BROWSER TOURS WILL BE SKIPPED" \
               "Install it (apt-get install chromium) to run them; tools/test.sh installs it itself" \
               "when it runs as root on a machine with apt-get."
    fi
}

# --- PostgreSQL ----------------------------------------------------------------------
# Uses the local server with a dedicated role (Odoo refuses to run as "postgres"); when no
# server answers, starts a private throwaway cluster under .build/pg.
setup_postgres() {
    export PGUSER=${PGUSER:-odoo}
    if psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
        return 0
    fi
    # The role may be missing: create it through a superuser that the local server trusts.
    local su
    for su in postgres root "$(id -un)"; do
        if PGUSER=$su psql -d postgres -Atc 'select 1' >/dev/null 2>&1; then
            PGUSER=$su psql -d postgres -qc "CREATE ROLE \"$PGUSER\" LOGIN CREATEDB" >/dev/null 2>&1 || true
            psql -d postgres -Atc 'select 1' >/dev/null 2>&1 && return 0
        fi
    done
    say "No PostgreSQL server answers: starting a private cluster in $BUILD/pg"
    local bindir
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bindir" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)"; return 1; }
    local owner=""
    [ "$(id -u)" = 0 ] && owner=nobody
    if [ ! -s "$BUILD/pg/data/PG_VERSION" ]; then
        mkdir -p "$BUILD/pg/data" "$BUILD/pg/run"
        [ -n "$owner" ] && chown -R "$owner" "$BUILD/pg"
        ${owner:+runuser -u "$owner" --} "$bindir/initdb" -D "$BUILD/pg/data" -U "$PGUSER" -A trust >/dev/null
    fi
    export PGHOST="$BUILD/pg/run" PGPORT=${PGPORT:-5439}
    ${owner:+runuser -u "$owner" --} "$bindir/pg_ctl" -D "$BUILD/pg/data" -l "$BUILD/pg/log" -w \
        -o "-k $PGHOST -p $PGPORT -c listen_addresses=''" start >/dev/null
}

odoo_db_args() {
    local args=(--db_user "$PGUSER")
    [ -n "${PGHOST:-}" ] && args+=(--db_host "$PGHOST")
    [ -n "${PGPORT:-}" ] && args+=(--db_port "$PGPORT")
    printf '%s\n' "${args[@]}"
}

free_port() {
    "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
