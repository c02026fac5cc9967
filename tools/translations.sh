#!/usr/bin/env bash
# Translations, one command: extract the texts into the templates (postured/locale/*.pot),
# bring every language's .po up to date with them, and compile the .mo files beside them.
#   bash tools/translations.sh            all three
#   bash tools/translations.sh compile    only compile (after editing a .po)
# A new language: pybabel init -D postured -i postured/locale/postured.pot -d postured/locale -l it
# (and the same with -D catalogue), then add it to postured.i18n.SHIPPED.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=${PYBABEL:-.venv/bin/pybabel}
languages=$(.venv/bin/python -c "from postured.i18n import SHIPPED; print(' '.join(l for l in SHIPPED if l != 'en'))")
if [[ "${1:-}" != "compile" ]]; then
    "$pybabel" extract -F tools/babel.cfg -k _ -k N_ -k ngettext:1,2 --add-comments=Translators: \
        --no-wrap --sort-by-file --project=postured -o postured/locale/postured.pot postured
    "$pybabel" extract -F tools/babel-catalogue.cfg --no-wrap --project=postured \
        -o postured/locale/catalogue.pot postured/catalogue
    for domain in postured catalogue; do
        for language in $languages; do
            po=postured/locale/$language/LC_MESSAGES/$domain.po
            if [[ -f $po ]]; then
                "$pybabel" update -D "$domain" -i "postured/locale/$domain.pot" -d postured/locale -l "$language" --no-wrap --ignore-obsolete
            else
                "$pybabel" init -D "$domain" -i "postured/locale/$domain.pot" -d postured/locale -l "$language" --no-wrap
            fi
        done
    done
fi
.venv/bin/python -m postured.i18n_build postured/locale
