#!/usr/bin/env bash
# Refresh the English catalogue from the code (Vietnamese msgids), compile it, and list the
# entries that still need an English translation (empty or fuzzy). Exit status 1 while any
# remain, so `scripts/update-translations.sh && git add kiemdiem/locale` is safe.
#
#   scripts/update-translations.sh            refresh, compile, list what is missing
#   scripts/update-translations.sh --list     only list what is missing (no makemessages)
#
# Then fill the listed msgstr in kiemdiem/locale/en/LC_MESSAGES/django.po (remove the
# "#, fuzzy" line of entries you have checked) and run it again (or `make messages`).
# Needs gettext (apt-get install gettext). The test kiemdiem/core/tests/test_i18n.py fails
# while a string in the code has no translation.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
KIEMDIEM=${KIEMDIEM:-$ROOT/.venv/bin/kiemdiem}
PO=kiemdiem/locale/en/LC_MESSAGES/django.po

for tool in xgettext msgmerge msgattrib msgfmt; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install gettext" >&2; exit 2; }
done
[ -x "$KIEMDIEM" ] || { echo "$KIEMDIEM is missing: run \`make test-fast\` (or make the venv) first" >&2; exit 2; }

if [ "${1:-}" != "--list" ]; then
  # From the package directory so only kiemdiem/ is scanned and the catalogue lands in
  # LOCALE_PATHS (kiemdiem/locale). Test files are not translated.
  (cd kiemdiem && "$KIEMDIEM" makemessages -l en --no-obsolete --ignore=tests -v 0)
  if ! msgfmt --check-format -o /dev/null "$PO"; then
    cat >&2 <<'HINT'
msgfmt refuses the catalogue (above). "format specifications ... are not the same" on a
msgid with a literal percent sign ("50% các") means xgettext took "% c" for a format: put
the comment line `# xgettext:no-python-format` right above that _("...") call and re-run.
HINT
    exit 2
  fi
  (cd kiemdiem && "$KIEMDIEM" compilemessages -l en -v 0)
fi

untranslated=$(msgattrib --untranslated --no-obsolete --no-location "$PO" || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete --no-location "$PO" || true)
# Drop the header entry (msgid "") from the listings.
strip_header() { awk 'BEGIN{RS=""; ORS="\n\n"} !/^(#[^\n]*\n)*msgid ""\nmsgstr ""\n"/'; }
untranslated=$(printf '%s\n' "$untranslated" | strip_header)
fuzzy=$(printf '%s\n' "$fuzzy" | strip_header)
count() { printf '%s\n' "$1" | grep -c '^msgid ' || true; }
n_untranslated=$(count "$untranslated")
n_fuzzy=$(count "$fuzzy")

if [ "$n_untranslated" != 0 ]; then
  echo "== untranslated ($n_untranslated) =="
  printf '%s\n' "$untranslated"
fi
if [ "$n_fuzzy" != 0 ]; then
  echo "== fuzzy: guessed by msgmerge, check and remove the '#, fuzzy' line ($n_fuzzy) =="
  printf '%s\n' "$fuzzy"
fi
msgfmt --statistics -o /dev/null "$PO"
if [ "$n_untranslated" != 0 ] || [ "$n_fuzzy" != 0 ]; then
  echo "$PO: $n_untranslated untranslated, $n_fuzzy fuzzy: translate them, then run this again." >&2
  exit 1
fi
echo "$PO: every string has an English translation; django.mo is compiled."
