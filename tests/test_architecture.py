"""The dependency rules of the design, checked on the source."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "postured"
CORE_MAY_IMPORT = ("postured.core", "postured.config", "postured.timetext", "postured.i18n")


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            # "from .sibling import x" in postured/adapters/ is postured.adapters.sibling
            package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[: -node.level])
            found.add(f"{package}.{node.module}" if node.module else package)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_only_the_standard_library_and_config(path):
    for name in imports_of(path):
        top = name.split(".")[0]
        if top == "postured":
            assert name.startswith(CORE_MAY_IMPORT), f"{path.name} imports {name}"
        else:
            assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_never_reads_the_clock_or_sleeps(path):
    source = path.read_text()
    for forbidden in (".now(", "utcnow(", "time.time(", "sleep(", "monotonic("):
        assert forbidden not in source, f"{path.name} calls {forbidden}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "adapters").glob("*.py")), ids=lambda p: p.name)
def test_adapters_do_not_import_the_engine_app_or_each_other(path):
    for name in imports_of(path):
        assert name not in ("postured.engine", "postured.app", "postured.cli"), f"{path.name} imports {name}"
        if name.startswith("postured.adapters."):
            assert False, f"{path.name} imports another adapter {name}"


@pytest.mark.parametrize("path", sorted((PACKAGE / "adapters").glob("*/*.py")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_adapter_packages_import_only_themselves_of_the_adapters(path):
    own = f"postured.adapters.{path.parent.name}"
    for name in imports_of(path):
        assert name not in ("postured.engine", "postured.app", "postured.cli"), f"{path} imports {name}"
        if name.startswith("postured.adapters.") and not (name == own or name.startswith(own + ".")):
            assert False, f"{path} imports another adapter {name}"
