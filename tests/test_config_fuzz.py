"""Any TOML document, any value in any key: a Settings or a located ConfigError, nothing else."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postured.catalogue import load_catalogue
from postured.config import ConfigError, Settings, check_against_catalogue, parse_settings

MAX_LISTED = 20  # postured.config_errors.MAX_LISTED (not imported: these cases also run against older code)

KEYS = {
    "schedule": ["interval", "days", "hours", "timezone", "overrides"],
    "reminders": ["snooze"],
    "exercises": ["positions", "equipment", "exclude"],
}
CATALOGUE = load_catalogue().exercises

scalars = st.one_of(
    st.text(max_size=30), st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(),
    st.booleans(), st.sampled_from(["30m", "1h", "09:00-12:00", "22:00-06:00", "mon", "seated", "Europe/Berlin",
                                    "00:00-24:00", "0m", "99999h", "24:00-01:00", "band", "chin-tuck"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)), max_leaves=8)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        text = repr(value)
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(text, text)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@st.composite
def documents(draw) -> str:
    lines = []
    for table, keys in KEYS.items():
        if draw(st.booleans()):
            lines.append(f"[{table}]")
            for key in draw(st.lists(st.sampled_from(keys + ["typo", "intervall"]), unique=True, max_size=4)):
                lines.append(f"{key} = {toml_value(draw(values))}")
    if draw(st.booleans()):
        lines.append(f"{draw(st.text(min_size=1, max_size=6, alphabet='abcxyz'))} = {toml_value(draw(values))}")
    return "\n".join(lines) + "\n"


def check(text: str) -> None:
    try:
        result = parse_settings(text, "fuzz.toml")
        check_against_catalogue(result, CATALOGUE, "fuzz.toml", text)
    except ConfigError as exc:
        message = str(exc)
        assert message.startswith("fuzz.toml: ") and "Traceback" not in message
        assert len(message) < 2000 * (message.count("\n") + 1), "a message must stay readable"
        return
    assert isinstance(result, Settings)


@settings(max_examples=400, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_structured_documents(text):
    check(text)


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=300))
def test_arbitrary_text(text):
    check(text)


def custom_block(number: int, region: str = "neck") -> str:
    return (f'[[exercises.custom]]\nid = "mine-{number}"\nname = "Mine {number}"\nregion = "{region}"\n'
            'position = "seated"\nsteps = ["Sit tall."]\n')


# What a hostile tester fed the config (issue 13), as a corpus: each one must be a located
# ConfigError, promptly, with a bounded message, and never another exception.
HOSTILE = {
    "2000 bad custom exercises": "".join(custom_block(n, "nek") for n in range(2000)),
    "99 bad custom exercises": "".join(custom_block(n, "nek") for n in range(99)),
    "dotted key of 100 000 parts": "a" + ".a" * 100_000 + " = 1\n",
    "dotted table header of 100 000 parts": "[a" + ".a" * 100_000 + "]\n",
    "dotted key in an inline table": "x = {" + "a." * 50_000 + "a = 1}\n",
    "arrays nested 5000 deep": "x = " + "[" * 5000 + "]" * 5000 + "\n",
    "inline tables nested 5000 deep": "x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n",
    "unclosed nesting": "[schedule]\nhours = " + "[{a = " * 3000 + "\n",
    "2 MB of valid TOML": "# padding\n" * 200_000 + "[schedule]\ninterval = '30m'\n",
    "20 000 unknown tables": "".join(f"[t{n}]\n" for n in range(20_000)),
    "unterminated multi-line string": 'x = """' + "line\n" * 40_000,
    "a key of 100 000 characters": "[schedule]\n" + "k" * 100_000 + " = 1\n",
    "a quoted key with an escape sequence": '[schedule]\n"\\u001b[31mred" = 1\n',
    "a NUL byte": "[schedule]\ninterval = '30m'\x00\n",
    "a bell in a name": custom_block(1).replace("Mine 1", "Mine\\u0007"),
    "an escape in a step": custom_block(1).replace("Sit tall.", "\\u001b]0;pwned\\u0007Sit"),
    "a newline in a name": custom_block(1).replace("Mine 1", "Mine\\nDone"),
    "a bidi override in a name": custom_block(1).replace("Mine 1", "\\u202eMine"),
    "a BOM and then an error": "\ufeff[schedul]\n",
    "an interval longer than every window": "[schedule]\ninterval = '99h'\n",
    "quiet over all work time": "[presence]\nquiet = ['00:00-24:00']\n",
    "natural break of a week": "[presence]\nnatural_break = '168h'\n",
    "equipment typo": "[exercises]\nequipment = ['dumbell']\n",
    "flag as yes": "[presence]\nquiet_when_fullscreen = 'yes'\n",
    "flag as 1": "[presence]\nquiet_when_fullscreen = 1\n",
    "15 000 overlapping windows": "[schedule]\nhours = [" + "'09:00-10:00', " * 15_000 + "]\n",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_inputs_are_one_located_error_each(name):
    text = HOSTILE[name]
    with pytest.raises(ConfigError) as refused:
        result = parse_settings(text, "fuzz.toml")
        check_against_catalogue(result, CATALOGUE, "fuzz.toml", text)
    rows = str(refused.value).splitlines()
    assert rows and all(row.startswith("fuzz.toml: ") for row in rows), rows[:3]
    assert len(rows) <= MAX_LISTED + 1, "at most MAX_LISTED errors, then how many more"
    assert all(len(row) < 400 and row.isprintable() for row in rows), rows


def test_a_long_list_of_errors_ends_with_how_many_more_and_where():
    with pytest.raises(ConfigError) as refused:
        parse_settings(HOSTILE["99 bad custom exercises"], "fuzz.toml")
    rows = str(refused.value).splitlines()
    assert rows[0].startswith('fuzz.toml: line 4: exercises.custom[0].region: "nek" is not allowed')
    assert rows[-1] == "fuzz.toml: line 124: and 79 more errors from here on (fix the ones above first)"


def test_huge_values():
    check('[schedule]\ninterval = "' + "9" * 1_000_000 + 'm"\n')
    check('[exercises]\nexclude = ["' + "x" * 1_000_000 + '"]\n')
    check("[schedule]\ninterval = 99999999999999999999999999999\n")
    check("[schedule]\n" + "[" * 10_000 + "\n")


@settings(max_examples=15, deadline=None)
@given(documents())
def test_config_check_exits_0_or_2_without_a_traceback(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "config.toml"
    path.write_text(text)
    done = subprocess.run([sys.executable, "-m", "postured", "--config", str(path), "config", "check"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode in (0, 2) and "Traceback" not in done.stderr
