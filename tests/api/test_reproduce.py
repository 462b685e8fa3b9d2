"""``python -m skdeep.reproduce`` writes its table."""
import csv
import subprocess
import sys
import types

from skdeep.reproduce import collect_rows, main


def test_rows_are_discovered():
    models = [row.model for row in collect_rows()]
    assert "Logistic regression" in models and "MLP" in models
    assert len(models) == len(set(models))


def _png_size(path):
    """(width, height) from a PNG file's header."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_quick_run_writes_tables_and_figures(tmp_path):
    assert main(["--quick", "--models", "logistic,mlp", "--device", "cpu",
                 "--out", str(tmp_path)]) == 0
    rows = list(csv.DictReader(open(tmp_path / "results.csv", encoding="utf-8")))
    assert [r["model"] for r in rows] == ["Logistic regression", "MLP"]
    for r in rows:
        assert float(r["test_error"].rstrip("%")) < 10.0
        assert r["device"] == "cpu" and r["tutorial"]
    # a learning curve per trained row, and the logistic weights per class
    assert rows[0]["figures"].split() == ["figures/logistic_weights_digits.png",
                                          "figures/learning_curve_logistic_regression.png"]
    assert rows[1]["figures"].split() == ["figures/learning_curve_mlp.png"]
    for r in rows:
        for figure in r["figures"].split():
            width, height = _png_size(tmp_path / figure)
            assert width >= 300 and height >= 150
    table = (tmp_path / "results.md").read_text(encoding="utf-8")
    assert "| Logistic regression | digits |" in table and "7.489% (MNIST)" in table
    assert "![learning_curve_mlp](figures/learning_curve_mlp.png)" in table
    page = (tmp_path / "results.html").read_text(encoding="utf-8")
    assert "<td>Logistic regression</td>" not in page      # the name links to its figures
    assert '<a href="#logistic_regression">Logistic regression</a>' in page
    assert '<img src="figures/learning_curve_logistic_regression.png"' in page
    assert '<img src="figures/logistic_weights_digits.png"' in page


def test_image_rows_draw_the_tutorials_figures(tmp_path):
    """The dA's filters (the tutorial's filters_corruption_0/30.png), the RBM's filters
    and samples, each with its learning curve."""
    assert main(["--quick", "--models", "denoising,rbm (pcd", "--device", "cpu",
                 "--out", str(tmp_path)]) == 0
    rows = {r["model"]: r["figures"].split()
            for r in csv.DictReader(open(tmp_path / "results.csv", encoding="utf-8"))}
    assert rows == {
        "Denoising autoencoder (dA)": ["figures/dA_filters_digits_corruption_0.png",
                                       "figures/dA_filters_digits_corruption_30.png",
                                       "figures/learning_curve_denoising_autoencoder_da.png"],
        "RBM (PCD-15, 500 hidden)": ["figures/rbm_filters_digits.png",
                                     "figures/rbm_samples_digits.png",
                                     "figures/learning_curve_rbm_pcd_15_500_hidden.png"],
    }
    for figures in rows.values():
        for figure in figures:
            assert min(_png_size(tmp_path / figure)) >= 150
    page = (tmp_path / "results.html").read_text(encoding="utf-8")
    assert page.count("<img ") == 6


def test_report_helpers_save_figures_and_escape(tmp_path):
    from matplotlib.figure import Figure

    from skdeep._reproduce._report import save_row_figures, slug, write_tables

    assert slug("RBM (PCD-15, 500 hidden)") == "rbm_pcd_15_500_hidden"
    fig = Figure()
    fig.subplots().plot([0, 1])
    midi = tmp_path / "figures" / "x.mid"
    midi.parent.mkdir()
    midi.write_bytes(b"MThd")
    paths = save_row_figures(tmp_path, "A <b> model", {"figures": {"f.png": fig},
                                                       "files": [midi]})
    assert paths == ["figures/f.png", "figures/x.mid"] and (tmp_path / "figures/f.png").exists()
    record = dict(model="A <b> model", dataset="digits", test_error="1.00%", epochs=3,
                  seconds="0.1", device="cpu", tutorial="", notes="a | b", figures=paths)
    args = types.SimpleNamespace(dataset="digits", tutorial_settings=False, quick=True)
    write_tables(tmp_path, [record], args)
    page = (tmp_path / "results.html").read_text(encoding="utf-8")
    assert "A &lt;b&gt; model" in page and "<b>" not in page
    assert '<a href="figures/x.mid">' in page
    assert "a \\| b" in (tmp_path / "results.md").read_text(encoding="utf-8")


def test_command_line_help():
    out = subprocess.run([sys.executable, "-m", "skdeep.reproduce", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--dataset", "--quick", "--device", "--out", "--tutorial-settings"):
        assert option in out
