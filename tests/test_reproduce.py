"""``python -m skdeep.reproduce`` writes its table."""
import csv
import subprocess
import sys

from skdeep.reproduce import collect_rows, main


def test_rows_are_discovered():
    models = [row.model for row in collect_rows()]
    assert "Logistic regression" in models and "MLP" in models
    assert len(models) == len(set(models))


def test_quick_run_writes_markdown_and_csv(tmp_path):
    assert main(["--quick", "--models", "logistic,mlp", "--device", "cpu",
                 "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "results.csv", encoding="utf-8")))
    assert [r["model"] for r in rows] == ["Logistic regression", "MLP"]
    for r in rows:
        assert float(r["test_error"].rstrip("%")) < 10.0
        assert r["device"] == "cpu" and r["tutorial"]
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| Logistic regression | digits |" in table and "7.489% (MNIST)" in table


def test_command_line_help():
    out = subprocess.run([sys.executable, "-m", "skdeep.reproduce", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--dataset", "--quick", "--device", "--out", "--tutorial-settings"):
        assert option in out
