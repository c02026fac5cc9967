"""Any TOML document, any value in any key: a Settings or a located ConfigError, nothing else."""

import json
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postured.catalogue import load_catalogue
from postured.config import ConfigError, Settings, check_against_catalogue, parse_settings

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
