"""``python -m skdeep.reproduce``: the tutorials' results table, re-run with skdeep.

Each model of the tutorials that skdeep has contributes a row (modules in
``skdeep/_reproduce/``). The table -- model, test error, epochs, seconds, device and the
tutorial's published figure -- is written to ``results.csv``, ``results.md`` and
``results.html``, the last two with each row's figures (the tutorial's filters, samples
and piano-rolls, and a learning curve per trained model, under ``figures/``).
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pathlib
import pkgutil
import sys
import time
import traceback
import warnings

__all__ = ["main", "collect_rows"]


def collect_rows():
    """All rows of the table (:class:`~skdeep._reproduce._row.Row`), in table order.

    Returns
    -------
    list of Row

    Examples
    --------
    >>> from skdeep.reproduce import collect_rows
    >>> [row.model for row in collect_rows()][:2]
    ['Logistic regression', 'MLP']
    """
    from . import _reproduce

    rows = []
    for info in pkgutil.iter_modules(_reproduce.__path__):
        if info.name.startswith("_") or info.name == "data":
            continue
        module = importlib.import_module(f"{_reproduce.__name__}.{info.name}")
        rows.extend(getattr(module, "ROWS", []))
    return sorted(rows, key=lambda r: (r.order, r.model))


def _parser():
    p = argparse.ArgumentParser(
        prog="python -m skdeep.reproduce",
        description="Re-run the Deep Learning Tutorials' models and tabulate the results.")
    p.add_argument("--dataset", choices=["digits", "mnist", "fashion-mnist"],
                   default="digits", help="image dataset for the image models "
                   "(default: scikit-learn's embedded digits)")
    p.add_argument("--quick", action="store_true",
                   help="fewer epochs and a subset of the large datasets")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    p.add_argument("--out", default="results", help="output folder (default: results)")
    p.add_argument("--tutorial-settings", action="store_true",
                   help="the tutorials' own hyper-parameters instead of skdeep's defaults")
    p.add_argument("--models", default=None,
                   help="comma-separated substrings of model names to run (default: all)")
    p.add_argument("--random-state", type=int, default=0)
    return p


def main(argv=None) -> int:
    """Run the table and write it with its figures; return the exit code.

    Parameters
    ----------
    argv : list of str or None, default=None
        The command line (``python -m skdeep.reproduce --help`` lists it); None reads
        ``sys.argv``.

    Returns
    -------
    int
        0, or 1 if a row failed (the others' results are written all the same).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skdeep.reproduce import main
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> main(["--quick", "--models", "hmc", "--device", "cpu", "--out", str(out)])
    ... # doctest: +ELLIPSIS
    wrote ...results.html, ...results.md and ...results.csv (1 figure in ...figures)
    0
    >>> sorted(p.name for p in out.iterdir())
    ['figures', 'results.csv', 'results.html', 'results.md']
    """
    args = _parser().parse_args(argv)
    from tqdm.auto import tqdm

    from ._engine.device import resolve_device
    from ._reproduce._report import save_row_figures, write_tables
    from ._reproduce.data import load_image_data

    device = str(resolve_device(args.device))
    rows = collect_rows()
    if args.models:
        wanted = [w.strip().lower() for w in args.models.split(",") if w.strip()]
        rows = [r for r in rows if any(w in r.model.lower() for w in wanted)]
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    image_data = None
    results, failed = [], 0
    bar = tqdm(rows, desc="reproduce", unit="model", file=sys.stderr)
    for row in bar:
        bar.set_postfix_str(row.model)
        record = {"model": row.model, "dataset": args.dataset if row.needs == "images"
                  else row.needs, "test_error": "", "epochs": "", "seconds": "",
                  "device": device, "tutorial": row.tutorial, "notes": "", "figures": []}
        start = time.perf_counter()
        try:
            if row.needs == "images":
                if image_data is None:
                    image_data = load_image_data(args.dataset, quick=args.quick,
                                                 random_state=args.random_state)
                data = image_data
            else:
                data = None
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                kwargs = dict(quick=args.quick, tutorial_settings=args.tutorial_settings,
                              device=device, random_state=args.random_state)
                params = inspect.signature(row.run).parameters
                if "out" in params or any(p.kind is p.VAR_KEYWORD for p in params.values()):
                    kwargs["out"] = out  # rows that write figures put them beside the table
                res = row.run(data, **kwargs)
            if res is None:
                record["notes"] = "skipped: data not available"
            else:
                err = res.get("test_error")
                record["test_error"] = "" if err is None else f"{100 * err:.2f}%"
                record["epochs"] = res.get("epochs", "")
                record["notes"] = res.get("extra", "")
                record["figures"] = save_row_figures(out, row.model, res)
        except FileNotFoundError as exc:
            record["notes"] = f"skipped: {exc}"
        except Exception as exc:  # a failing row must not hide the others' results
            failed += 1
            record["notes"] = f"FAILED: {type(exc).__name__}: {exc}"
            traceback.print_exc()
        record["seconds"] = f"{time.perf_counter() - start:.1f}"
        results.append(record)
        tqdm.write(f"{row.model}: test error {record['test_error'] or '-'} "
                   f"({record['seconds']} s) {record['notes']}", file=sys.stderr)
    write_tables(out, results, args)
    n_figures = sum(p.endswith(".png") for r in results for p in r["figures"])
    print(f"wrote {out / 'results.html'}, {out / 'results.md'} and {out / 'results.csv'} "
          f"({n_figures} figure{'' if n_figures == 1 else 's'} in {out / 'figures'})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
