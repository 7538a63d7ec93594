"""The one layout holds: URLs in each app's urls.py, and tests that import builders from
tests/factories.py, a conftest.py or a helper module, never from another test module.

The checks read the source (no import), so they name the file and line that breaks the rule.
"""

import ast
from pathlib import Path

import tocsin

PACKAGE = Path(tocsin.__file__).parent
TESTS = Path(__file__).parent


def imports_of(path: Path) -> list[tuple[int, str]]:
    """Return (line, module) of every `from … import …` in the file, relative ones resolved
    against the file's package."""
    package = path.relative_to(TESTS.parent).parent.parts
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def test_no_test_imports_from_another_test_module():
    wrong = [
        f"{path.relative_to(TESTS.parent)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, module in imports_of(path)
        if module.split(".")[-1].startswith("test_")
    ]
    assert wrong == [], "move what they share to tests/factories.py or a conftest.py"


def test_no_view_module_keeps_a_url_list():
    wrong = []
    for path in sorted(PACKAGE.glob("*/views*")):
        for module in [path] if path.is_file() else sorted(path.rglob("*.py")):
            tree = ast.parse(module.read_text(), filename=str(module))
            for node in tree.body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if any(getattr(target, "id", "") == "urlpatterns" for target in targets):
                    wrong.append(f"{module.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert wrong == [], "URL lists live in the app's urls.py"


def test_every_app_with_views_has_its_urls():
    apps = {path.parent for path in PACKAGE.glob("*/views*")}
    assert apps, "no views found: the check would prove nothing"
    assert sorted(app.name for app in apps if not (app / "urls.py").exists()) == []
