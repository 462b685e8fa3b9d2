"""docs/capabilities.rst shows exactly what the code has (skdeep.utils.capabilities)."""
import inspect
import pathlib
import re

import skdeep
from skdeep.utils.capabilities import CAPABILITIES, capabilities

PAGE = pathlib.Path(__file__).resolve().parents[2] / "docs" / "capabilities.rst"
CELLS = {"yes": True, "—": False}


def _page_table():
    """The list-table of the page as ``(columns, {estimator: {column: cell}})``."""
    lines = PAGE.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == ".. list-table::")
    rows = []
    for line in lines[start + 1:]:
        if line and not line.startswith(" "):
            break  # the next section
        stripped = line.strip()
        if stripped.startswith("* - "):
            rows.append([stripped[len("* - "):].strip()])
        elif stripped.startswith("- ") and rows:
            rows[-1].append(stripped[len("- "):].strip())
    header, body = rows[0], rows[1:]
    columns = [cell.strip("`") for cell in header[1:]]
    table = {}
    for row in body:
        match = re.fullmatch(r":class:`~?(?:skdeep\.)?(\w+)`|``(\w+)``|(\w+)", row[0])
        assert match, f"cannot read the estimator cell {row[0]!r} of {PAGE.name}"
        name = next(group for group in match.groups() if group)
        assert name not in table, f"{name} has two rows in {PAGE.name}"
        assert len(row) == len(header), (
            f"{name}'s row in {PAGE.name} has {len(row) - 1} cells for "
            f"{len(header) - 1} columns")
        table[name] = dict(zip(columns, row[1:]))
    return columns, table


def test_page_columns_are_the_capabilities():
    columns, _ = _page_table()
    assert columns == list(CAPABILITIES)


def test_page_table_equals_the_code():
    columns, page = _page_table()
    code = capabilities()
    missing = sorted(set(code) - set(page))
    extra = sorted(set(page) - set(code))
    assert not missing, f"estimators without a row in {PAGE.name}: {missing}"
    assert not extra, f"rows in {PAGE.name} for estimators the code lacks: {extra}"
    wrong = []
    for name, row in sorted(page.items()):
        for column in columns:
            cell = row[column]
            assert cell in CELLS, (
                f"{name}, column {column}: cell {cell!r} is not 'yes' or '—'")
            if CELLS[cell] != code[name][column]:
                says = "yes" if code[name][column] else "—"
                wrong.append(f"{name}, column {column}: the page says {cell!r}, "
                             f"the code says {says!r}")
    assert not wrong, f"{PAGE.name} is out of date:\n" + "\n".join(wrong)


def test_every_exported_estimator_has_a_row():
    code = capabilities()
    exported = [name for name in skdeep.__all__
                if inspect.isclass(getattr(skdeep, name))
                and callable(getattr(getattr(skdeep, name), "fit", None))]
    assert exported
    assert sorted(set(exported) - set(code)) == []


def test_capabilities_are_booleans_read_from_the_code():
    code = capabilities()
    for name, row in code.items():
        assert list(row) == list(CAPABILITIES), name
        assert all(isinstance(value, bool) for value in row.values()), name
    # spot checks against the signatures themselves
    assert code["MLPClassifier"]["sample_weight"]
    assert not code["BernoulliRBM"]["early_stopping"]
    assert code["HMCSampler"]["sample"] and not code["HMCSampler"]["partial_fit"]
