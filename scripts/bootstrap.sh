# Sourced by scripts/run and scripts/test: a project virtualenv with the pinned
# dependencies, reinstalled only when pyproject.toml changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON_BIN="${PYTHON:-}"
if [ -z "$PYTHON_BIN" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON_BIN="$candidate"; break; fi
  done
fi
[ -n "$PYTHON_BIN" ] || { echo "Python 3.11 is required." >&2; exit 1; }
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
  echo "Creating the virtualenv in .venv ..."
  "$PYTHON_BIN" -m venv "$VENV"
fi
STAMP="$VENV/.installed-$(sha1sum pyproject.toml | cut -c1-12)"
if [ ! -f "$STAMP" ]; then
  echo "Installing dependencies ..."
  "$VENV/bin/python" -m pip install --quiet --upgrade pip
  "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
  rm -f "$VENV"/.installed-*
  touch "$STAMP"
fi
export PATH="$VENV/bin:$PATH"

# WeasyPrint renders the payout statements with Pango and HarfBuzz, in a font
# with Arabic glyphs (the Dockerfile installs the same packages).  The scripts
# call this to install them on a fresh machine when they are missing and we may.
ensure_weasyprint_libs() {
  local libraries missing=""
  libraries="$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)"
  for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0; do
    case "$libraries" in *"$lib"*) ;; *) missing=yes ;; esac
  done
  [ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing=yes
  if [ -n "$missing" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the system libraries WeasyPrint needs ..."
    { apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core >/dev/null; } || \
      echo "Could not install them: payout statements cannot be rendered." >&2
  fi
}

# Translations: the catalogues (locale/<language>/LC_MESSAGES/django.po) are
# compiled into django.mo files, which are generated and not committed: when
# one is missing or older than its catalogue, Django's compilemessages compiles
# them with GNU gettext's msgfmt (its --check refuses a broken catalogue).
# msgfmt is installed when missing and we may (as Chromium and the PDF
# libraries are); without it the pages stay in English and the tests say so.
catalogues_stale() {
  local po
  for po in locale/*/LC_MESSAGES/*.po; do
    [ -e "$po" ] || continue
    [ "${po%.po}.mo" -nt "$po" ] || return 0
  done
  return 1
}
if catalogues_stale; then
  if ! command -v msgfmt >/dev/null 2>&1 && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing GNU gettext to compile the translations ..."
    { apt-get update -qq >/dev/null && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gettext >/dev/null; } || \
      echo "Could not install gettext: the translations cannot be compiled." >&2
  fi
  if command -v msgfmt >/dev/null 2>&1; then
    echo "Compiling the translations ..."
    DJANGO_SETTINGS_MODULE=prm.settings.dev "$VENV/bin/python" manage.py compilemessages -v 0 \
      --ignore=.venv --ignore=.prm-data --ignore=.git --ignore=staticfiles --ignore=node_modules
  else
    echo "msgfmt (GNU gettext) is missing: the translations are not compiled." >&2
  fi
fi
