"""argparse's own words ("usage:", "options", its error sentences) in postured's gettext domain.

argparse looks its texts up through its module globals ``_`` and ``ngettext`` (the stdlib's
gettext, domain "messages"); ``route`` points them at postured.i18n so `--help` and usage
errors come out in the person's language. The msgids below are copied exactly from Python
3.11's Lib/argparse.py, only so that pybabel extracts them into postured.pot; they are never
called from here. argparse fills in their %-style placeholders (``%(prog)s``, ``%s``); a
translation keeps them as they are.
"""

from __future__ import annotations

from postured.i18n import N_, _, ngettext


def route(argparse_module) -> None:
    """argparse's messages through postured's domain, in the active language."""
    argparse_module._ = _
    argparse_module.ngettext = ngettext


MESSAGES = (
    N_("usage: "),
    N_("argument %(argument_name)s: %(message)s"),
    N_(".__call__() not defined"),
    N_("conflicting subparser: %s"),
    N_("conflicting subparser alias: %s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("argument \"-\" with mode %r"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("cannot merge actions - two groups are named %r"),
    N_("'required' is an invalid argument for positionals"),
    N_("invalid option string %(option)r: must start with a character %(prefix_chars)r"),
    N_("dest= is required for options like %r"),
    N_("invalid conflict_resolution value: %r"),
    N_("mutually exclusive arguments must be optional"),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("subcommands"),
    N_("cannot have multiple subparser arguments"),
    N_("unrecognized arguments: %s"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("%r is not callable"),
    N_("invalid %(type)s value: %(value)r"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("%(prog)s: error: %(message)s\n"),
    # Not one of argparse's lookups: its --version help is a fixed default, so cli.py passes this.
    N_("show program's version number and exit"),
)


def _plurals() -> None:
    """Never called: argparse's plural messages, for pybabel (it reads ngettext calls)."""
    ngettext("conflicting option string: %s", "conflicting option strings: %s", 1)
    ngettext("expected %s argument", "expected %s arguments", 1)
