"""RNN-RBM on Nottingham: what each element of the paper's training recipe does.

Each run trains :class:`skdeep.music.RNNRBM` on the whole Nottingham training set with
the defaults from before the recipe (``EARLIER``) plus one recipe element, or with the
estimator's defaults (``final``, the combination), then reports on the
test pieces the estimated log-likelihood (``score``, nats per frame), the thresholded and
the expected frame accuracy (``frame_accuracy_score``), the epochs and the seconds. The
baselines are computed the same way on the same pieces.

    python benchmarks/rnnrbm_recipe.py --runs baselines
    python benchmarks/rnnrbm_recipe.py --runs base,rbm-pretrain --epochs 25
    python benchmarks/rnnrbm_recipe.py --runs final --epochs 100

Every run writes ``<out>/<run>.json``; ``--table`` prints the table of all runs found
there. One CPU thread by default (``--threads``).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch

#: the defaults before the recipe existed: every element run adds one thing to these
EARLIER = dict(pretrain_n_iter=0, pretrain_max_iter=0, max_grad_norm=None,
               learning_rate="constant", learn_initial_state=False)

#: one recipe element each, on top of EARLIER; "final" is the estimator's defaults
ELEMENTS = {
    "base": {},
    "tutorial": dict(solver="sgd", learning_rate_init=0.001, momentum=0.0, batch_size=1),
    "rbm-pretrain": dict(pretrain_n_iter=10, pretrain_learning_rate=0.05),
    "rnn-pretrain": dict(pretrain_max_iter=10, pretrain_learning_rate_init=0.01),
    "u0": dict(learn_initial_state=True),
    "clip": dict(max_grad_norm=1.0),
    "sgd-nesterov": dict(solver="sgd", learning_rate_init=0.05, momentum=0.9,
                         nesterovs_momentum=True),
    "rnn-lr": dict(rnn_learning_rate_init=0.003),
    "adaptive": dict(learning_rate="adaptive", n_iter_no_change=2, tol=0.01),
    "k5": dict(k=5),
    "k25": dict(k=25),
}
RUNS = {name: EARLIER | params for name, params in ELEMENTS.items()}
RUNS["final"] = {}

#: runs that use the validation pieces (scored every epoch, best weights kept)
VALIDATED = {"adaptive", "final"}


def _baselines(train, test, args):
    from skdeep._engine.ragged import RaggedSource
    from skdeep._rnnrbm_eval import expected_frame_accuracy
    from skdeep._rnnrbm_train import pretrain_rnn
    from skdeep.metrics import frame_accuracy
    from skdeep.nn.rnnrbm import RNNRBMModule

    out = {}
    X = np.concatenate(test)
    prev = [np.vstack([np.zeros((1, r.shape[1]), np.float32), r[:-1]]) for r in test]
    acc = frame_accuracy(test, prev)
    out["repeat previous frame"] = dict(ll=None, acc_threshold=acc, acc_expected=acc)
    p = np.clip(np.concatenate(train).mean(0), 1e-3, 1 - 1e-3)
    ll = float((X * np.log(p) + (1 - X) * np.log1p(-p)).sum(1).mean())
    probs = [np.broadcast_to(p, r.shape) for r in test]
    out["independent notes"] = dict(ll=ll, acc_threshold=frame_accuracy(test, probs),
                                    acc_expected=expected_frame_accuracy(test, probs))
    # the recurrent part alone on cross-entropy: the module of the recurrent pretraining
    g = torch.Generator().manual_seed(0)
    m = RNNRBMModule(88, 150, 100, generator=g)
    with torch.no_grad():
        m.bv.copy_(torch.as_tensor(np.log(p / (1 - p)), dtype=torch.float32))
    m.u0.requires_grad_(True)
    frames = torch.from_numpy(np.concatenate(train))
    data = RaggedSource((frames,), [len(r) for r in train], (0.0,))
    start = time.perf_counter()
    curve = pretrain_rnn(m, data, solver="adam", learning_rate_init=0.01, momentum=0.0,
                         nesterovs_momentum=False, max_iter=args.rnn_epochs, batch_size=16,
                         max_grad_norm=1.0, generator=g)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        probs, lls = [], []
        for r in test:
            v = torch.from_numpy(r)[None]
            logits = m.next_frame_logits(v)[0]
            probs.append(torch.sigmoid(logits).double().numpy())
            lls.append(-torch.nn.functional.binary_cross_entropy_with_logits(
                logits, v[0], reduction="none").sum(-1).double().numpy())
    out["RNN, sigmoid outputs"] = dict(
        ll=float(np.concatenate(lls).mean()), acc_threshold=frame_accuracy(test, probs),
        acc_expected=expected_frame_accuracy(test, probs), epochs=len(curve),
        seconds=seconds)
    return out


def _ll_pieces(test, args):
    """The test pieces of the log-likelihood: all, or a fixed random subset (the
    importance-sampling estimate costs about 4x the two accuracies together)."""
    if not args.n_test_ll or args.n_test_ll >= len(test):
        return test
    return [test[i] for i in np.random.RandomState(2).permutation(len(test))[:args.n_test_ll]]


def _evaluate(model, test, args):
    res = {}
    start = time.perf_counter()
    ll_test = _ll_pieces(test, args)
    res["ll"] = model.score(ll_test)
    res["n_test_ll"] = len(ll_test)
    res["acc_threshold"] = model.frame_accuracy_score(test, method="threshold")
    res["acc_expected"] = model.frame_accuracy_score(test, n_samples=args.n_samples)
    res["acc_expected_se"] = model.frame_accuracy_se_
    if args.frame_average:
        res["acc_expected_frame"] = model.frame_accuracy_score(
            test, n_samples=args.n_samples, average="frame")
    res["eval_seconds"] = time.perf_counter() - start
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", default="base")
    p.add_argument("--epochs", type=int, default=25, help="max_iter of every run")
    p.add_argument("--n-test", type=int, default=0, help="test pieces (0 = all 170)")
    p.add_argument("--n-test-ll", type=int, default=0,
                   help="test pieces of the log-likelihood (a fixed subset; 0 = all)")
    p.add_argument("--n-val", type=int, default=20,
                   help="validation pieces for the validated runs (0 = all 173)")
    p.add_argument("--n-samples", type=int, default=10, help="draws of the expected ACC")
    p.add_argument("--rnn-epochs", type=int, default=10, help="epochs of the RNN baseline")
    p.add_argument("--final", default=None,
                   help="JSON dict of parameters for the 'final' run (default: the "
                        "estimator's defaults)")
    p.add_argument("--frame-average", action="store_true")
    p.add_argument("--save", action="store_true", help="save each model to <out>/<run>.pt")
    p.add_argument("--load", default=None,
                   help="evaluate this saved model (RNNRBM.save) instead of training")
    p.add_argument("--predict-k", default=None,
                   help="with --load: comma-separated Gibbs steps at prediction time")
    p.add_argument("--out", default=os.path.join("results", "rnnrbm_recipe"))
    p.add_argument("--table", action="store_true", help="print the table of <out>/*.json")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--path", default=None, help="polyphonic_music folder (default: "
                   "$SKDEEP_DATA/polyphonic_music)")
    args = p.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    if args.table:
        return _table(args.out)
    torch.set_num_threads(args.threads)
    os.environ.setdefault("SKDEEP_NUM_THREADS", str(args.threads))

    from skdeep.datasets import load_piano_rolls
    from skdeep.music import RNNRBM

    train, valid, test = load_piano_rolls("Nottingham", path=args.path)
    rs = np.random.RandomState(0)
    if args.n_test:
        test = [test[i] for i in rs.permutation(len(test))[:args.n_test]]
    if args.n_val:
        valid = [valid[i] for i in np.random.RandomState(1).permutation(len(valid))[:args.n_val]]
    n_test_frames = sum(map(len, test))
    print(f"Nottingham: {len(train)} training pieces, {len(valid)} validation pieces, "
          f"{len(test)} test pieces ({n_test_frames} frames)", flush=True)
    if args.load:
        model = RNNRBM.load(args.load)
        base = os.path.splitext(os.path.basename(args.load))[0]
        for k in (args.predict_k or str(model.k)).split(","):
            model.set_params(predict_k=int(k))
            res = dict(run=f"{base}, predict_k={k}", epochs=model.n_iter_, n_test=len(test))
            res.update(_evaluate(model, test, args))
            _save(args.out, f"{base}-predict-k{k}", res)
        return 0
    for name in [r.strip() for r in args.runs.split(",")]:
        if name == "baselines":
            for bname, res in _baselines(train, test, args).items():
                res.update(run=bname, n_test=len(test))
                _save(args.out, "baseline-" + bname.split(",")[0].replace(" ", "-"), res)
            continue
        params = dict(RUNS[name])
        if name == "final":
            params = json.loads(args.final or "{}")
        shown = ELEMENTS.get(name, params)
        model = RNNRBM(max_iter=args.epochs, device="cpu", random_state=0, **params)
        start = time.perf_counter()
        try:
            model.fit(train, X_val=valid if name in VALIDATED else None)
        except ValueError as exc:  # a diverged run is a result too
            print(f"{name}: {exc}", flush=True)
            _save(args.out, name, dict(run=name, params=shown, error=str(exc),
                                       seconds=time.perf_counter() - start))
            continue
        seconds = time.perf_counter() - start
        res = dict(run=name, params=shown, epochs=model.n_iter_, seconds=seconds,
                   pretrain_epochs=len(model.pretrain_loss_curve_)
                   + len(model.pretrain_rnn_loss_curve_),
                   stop_reason=model.stop_reason_, loss_curve=model.loss_curve_,
                   validation_scores=model.validation_scores_, n_test=len(test))
        res.update(_evaluate(model, test, args))
        _save(args.out, name, res)
        if args.save:
            model.save(os.path.join(args.out, f"{name}.pt"))
    return 0


def _save(out, name, res):
    with open(os.path.join(out, f"{name}.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(_row(res), flush=True)


def _fmt(x, spec):
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, spec)


def _row(r):
    if "error" in r:
        return f"{r['run']:24s} failed: {r['error'][:60]}"
    se = r.get("acc_expected_se")
    exp = _fmt(100 * r["acc_expected"], ".1f") + ("" if se is None else f" ±{100 * se:.2f}")
    return (f"{r['run']:24s} {_fmt(r.get('ll'), '8.3f'):>8s} "
            f"{_fmt(100 * r['acc_threshold'], '.1f'):>7s} {exp:>12s} "
            f"{_fmt(r.get('epochs'), 'd'):>6s} {_fmt(r.get('seconds'), '.0f'):>7s}")


def _table(out):
    print(f"{'run':24s} {'test LL':>8s} {'ACC thr':>7s} {'ACC exp':>12s} {'epochs':>6s} "
          f"{'seconds':>7s}")
    for f in sorted(os.listdir(out)):
        if f.endswith(".json"):
            with open(os.path.join(out, f)) as fh:
                print(_row(json.load(fh)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
