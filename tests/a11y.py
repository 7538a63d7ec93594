"""`assert_accessible(page)`: run axe-core's WCAG 2 A and AA rules on a browser page.

axe-core comes from the npm package in package.json (node_modules/axe-core), read from disk
and added to the page under test; nothing is fetched from the network.
"""

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA (decision 0023).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NODES_SHOWN = 5  # of the elements that break one rule; a list of 40 hides the next rule

RUN_AXE = """async (tags) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        resultTypes: ["violations"],
    });
    return results.violations.map((violation) => ({
        rule: violation.id,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
            target: node.target.join(" "),
            summary: node.failureSummary || "",
        })),
    }));
}"""


def axe_violations(page) -> list[dict]:
    """Return axe-core's WCAG 2 A/AA violations on the page as it stands now."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (axe-core is in package.json)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the browser's debugging protocol, which the page's Content
        # Security Policy does not govern: a <script> tag added to the page would be refused.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['rule']}: {violation['help']}")
        for node in violation["nodes"][:NODES_SHOWN]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}\n        {summary}")
        if len(violation["nodes"]) > NODES_SHOWN:
            lines.append(f"    … and {len(violation['nodes']) - NODES_SHOWN} more like these")
    return "\n".join(lines)


def assert_accessible(page, where: str = "") -> None:
    """Fail with each rule broken, the elements that break it and why, if axe finds any."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"{where or page.url}: {len(violations)} accessibility rule(s) broken\n"
            + describe(violations),
            pytrace=False,
        )
