"""The layers run one way (docs/decisions/0027-layers.md): the import contract in
pyproject.toml holds on the code as it is, and it fails on a copy of the code given one new
upward import, or a cycle between two apps.

Each check runs `lint-imports` in its own process on a copy of the package's Python files,
as `make lint` runs it, so the code under test is the copy and never the working tree.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import tocsin

PACKAGE = Path(tocsin.__file__).parent
PYPROJECT = PACKAGE.parent / "pyproject.toml"


def contracts() -> dict[str, dict]:
    config = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run lint-imports with the project's contracts on the `tocsin` package under root."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            "--no-cache",
            "--no-logo",
            str(root / "pyproject.toml"),
        ],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of the package's Python files and of pyproject.toml, to change at will."""
    shutil.copytree(
        PACKAGE,
        tmp_path / "tocsin",
        ignore=lambda folder, names: [
            name
            for name in names
            if (not name.endswith(".py") and not (Path(folder) / name).is_dir())
            or name in {"__pycache__", "node_modules", "locale", "static", "templates"}
        ],
    )
    shutil.copy(PYPROJECT, tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold_on_the_code():
    result = lint_imports(PACKAGE.parent)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_app_has_its_place_in_the_layers():
    named = {
        app.strip()
        for layer in contracts()["layers"]["layers"]
        for app in layer.replace(":", "|").split("|")
    }
    apps = {f"tocsin.{path.name}" for path in PACKAGE.iterdir() if (path / "__init__.py").exists()}
    modules = {f"tocsin.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem != "__init__"}

    assert apps - named == set()
    assert modules - named == set()


def test_it_fails_on_a_new_import_of_an_app_from_core(copy):
    (copy / "tocsin" / "core" / "greeting.py").write_text(
        "from tocsin.accounts.models import Person\n"
    )

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "The layers run one way BROKEN" in result.stdout
    assert "tocsin.core.greeting -> tocsin.accounts.models" in result.stdout


def test_it_fails_on_delivery_importing_a_feature_inside_a_function(copy):
    (copy / "tocsin" / "delivery" / "greeting.py").write_text(
        "def greet():\n    from tocsin.pledges.models import Pledge\n\n    return Pledge\n"
    )

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "tocsin.delivery.greeting -> tocsin.pledges.models" in result.stdout


def test_it_fails_on_two_apps_that_import_each_other(copy):
    # A new app that no layer names yet: only the cycle check stands between it and a cycle.
    (copy / "tocsin" / "library").mkdir()
    (copy / "tocsin" / "library" / "__init__.py").write_text("import tocsin.pledges.models\n")
    (copy / "tocsin" / "pledges" / "shelf.py").write_text("import tocsin.library\n")

    result = lint_imports(copy)

    assert result.returncode != 0
    assert "No two apps import each other BROKEN" in result.stdout
