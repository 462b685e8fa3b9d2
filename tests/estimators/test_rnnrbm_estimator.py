"""RNNRBM estimator: learning on Nottingham, exact per-frame likelihood on a tiny model,
ragged batching, partial_fit / warm_start, pickling, sampling, errors."""
import copy
import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skdeep.metrics import frame_accuracy
from skdeep.music import RNNRBM, _padded, _roll_source


def _rolls(n=6, T=15, V=10, seed=0):
    rs = np.random.RandomState(seed)
    return [(rs.rand(T + i, V) < 0.2).astype(np.float32) for i in range(n)]


def _small(**kw):
    params = dict(n_hidden=8, n_hidden_recurrent=6, k=2, max_iter=2, batch_size=4,
                  pretrain_n_iter=0, pretrain_max_iter=0, device="cpu", random_state=0)
    params.update(kw)
    return RNNRBM(**params)


def test_fit_sample_predict_are_deterministic_and_leave_input_alone():
    rolls = _rolls()
    before = [r.copy() for r in rolls]
    m = _small().fit(rolls)
    assert all(np.array_equal(a, b) for a, b in zip(rolls, before))
    assert m.n_iter_ == 2 and len(m.loss_curve_) == 2 and m.n_features_in_ == 10
    s = m.sample(7, n_samples=3, random_state=1)
    assert s.shape == (3, 7, 10) and s.dtype == np.float32
    assert set(np.unique(s)) <= {0.0, 1.0}
    np.testing.assert_array_equal(s, m.sample(7, n_samples=3, random_state=1))
    p = m.predict_next(rolls[0])
    assert p.shape == rolls[0].shape and (p >= 0).all() and (p <= 1).all()
    # a list gives a list, each roll as if predicted alone
    ps = m.predict_next(rolls[:3], n_chains=50)
    assert [q.shape for q in ps] == [r.shape for r in rolls[:3]]
    assert 0 <= m.frame_accuracy_score(rolls) <= 1
    assert (m.frame_accuracy_score(rolls, method="threshold")
            == frame_accuracy(rolls, m.predict_next(rolls)))
    m3 = _small().fit(rolls)
    for a, b in zip(m.module_.parameters(), m3.module_.parameters()):
        assert torch.equal(a, b)


def test_visible_biases_start_at_training_marginals():
    rolls = _rolls()
    m = _small(max_iter=1, learning_rate_init=1e-12, solver="sgd").fit(rolls)
    p = np.clip(np.concatenate(rolls).mean(0), 1e-3, 1 - 1e-3)
    np.testing.assert_allclose(m.module_.bv.detach().numpy(), np.log(p / (1 - p)), atol=1e-5)


def test_length_sorted_batches_are_trimmed_and_cover_every_piece():
    lengths = [5, 40, 7, 38, 6, 39, 41, 8]
    rolls = [np.full((n, 3), i % 2, np.float32) for i, n in enumerate(lengths)]
    data = _roll_source(rolls, "cpu")
    seen = []
    for v, lens in data.batches(2, torch.Generator().manual_seed(0)):
        n = lens.tolist()
        mask = torch.arange(v.shape[1])[None, :] < lens[:, None]
        seen += n
        assert v.shape[1] == max(n)          # padded only to the batch's longest piece
        assert max(n) - min(n) <= 2          # similar lengths share a batch
        assert (v[mask == 0] == 0).all()
    assert sorted(seen) == sorted(lengths)
    padded = sum(v.shape[0] * v.shape[1] for v, _ in data.batches(2, torch.Generator()))
    assert padded - sum(lengths) <= 4


def test_ragged_batches_score_like_one_at_a_time():
    """Per-frame biases, free energies and predictions of a piece do not depend on the
    pieces batched with it."""
    rolls = _rolls(n=5, T=6, V=8)
    m = _small(n_hidden=5).fit(rolls)
    batched = m.predict_next(rolls, n_chains=1, k=1, random_state=None)
    for r, b in zip(rolls, batched):
        assert b.shape == r.shape
    mod = m.module_.double()
    v, mask = _padded(_roll_source(rolls, "cpu"), np.arange(len(rolls)))
    bv, bh = mod.frame_biases(v.double())
    fe = mod.free_energy(v.double(), bv, bh)
    for i, r in enumerate(rolls):
        one = torch.as_tensor(r, dtype=torch.float64)[None]
        b1 = mod.frame_biases(one)
        torch.testing.assert_close(bv[i, :len(r)], b1[0][0])
        torch.testing.assert_close(fe[i, :len(r)], mod.free_energy(one, *b1)[0])


def _exact_frame_ll(m, roll):
    """Brute force: the RNN in numpy, log Z of each frame's RBM by summing exp(-E) over
    every (v, h) state."""
    p = {k: v.detach().double().numpy() for k, v in m.module_.state_dict().items()}
    V, H = p["W"].shape[1], p["W"].shape[0]
    vs = ((np.arange(2 ** V)[:, None] >> np.arange(V)) & 1).astype(float)
    hs = ((np.arange(2 ** H)[:, None] >> np.arange(H)) & 1).astype(float)
    u = np.zeros(p["bu"].shape)
    out = []
    for v in roll.astype(float):
        bv, bh = p["bv"] + u @ p["Wuv"], p["bh"] + u @ p["Wuh"]
        neg_e = (vs @ bv)[:, None] + (hs @ bh)[None, :] + vs @ p["W"].T @ hs.T
        log_z = np.logaddexp.reduce(neg_e.ravel())
        log_pv = np.logaddexp.reduce((v @ bv) + hs @ bh + hs @ p["W"] @ v)
        out.append(log_pv - log_z)
        u = np.tanh(p["bu"] + v @ p["Wvu"] + u @ p["Wuu"])
    return np.array(out)


def test_score_matches_brute_force_per_frame_log_likelihood():
    rs = np.random.RandomState(0)
    rolls = [(rs.rand(6, 8) < 0.3).astype(np.float32) for _ in range(3)]
    m = _small(n_hidden=5, n_hidden_recurrent=4, k=5, max_iter=30, learning_rate_init=0.03,
               batch_size=3).fit(rolls)
    exact = np.concatenate([_exact_frame_ll(m, r) for r in rolls])
    # both estimators, with enough chains, per frame
    for kw in (dict(method="ais", n_chains=64, n_betas=200),
               dict(method="is", n_chains=1024, n_proposals=4096)):
        est = np.concatenate(m.score_frames(rolls, **kw))
        np.testing.assert_allclose(est, exact, atol=0.05, err_msg=str(kw))
    # the default (cheap) settings, on average over frames; this tiny model spreads its
    # mass over many of its 256 states, the hard case for the mixture proposal
    assert abs(m.score(rolls) - exact.mean()) < 0.1


def test_partial_fit_and_warm_start_continue():
    rolls = _rolls()
    m = _small(max_iter=1).fit(rolls)
    state = m._optimizer.state_dict()["state"]
    steps = int(state[0]["step"])
    w = m.module_.W.detach().clone()
    m.partial_fit(rolls)
    assert m.n_iter_ == 2 and len(m.loss_curve_) == 2
    assert int(m._optimizer.state_dict()["state"][0]["step"]) == 2 * steps  # Adam state kept
    assert not torch.equal(w, m.module_.W)
    # partial_fit from scratch = fit for one epoch
    a = _small(max_iter=1).partial_fit(rolls)
    b = _small(max_iter=1).fit(rolls)
    for x, y in zip(a.module_.parameters(), b.module_.parameters()):
        assert torch.equal(x, y)
    # warm_start: a second fit continues (n_iter_ adds up); without it, it restarts
    c = _small(max_iter=1, warm_start=True).fit(rolls).fit(rolls)
    assert c.n_iter_ == 2
    d = _small(max_iter=1).fit(rolls).fit(rolls)
    assert d.n_iter_ == 1
    with pytest.raises(ValueError, match="notes"):
        c.partial_fit([np.zeros((4, 3), np.float32)])


def test_pickle_round_trip_and_clone():
    rolls = _rolls()
    m = _small().fit(rolls)
    s = m.sample(7, n_samples=3, random_state=1)
    blob = pickle.dumps(m)
    m2 = pickle.loads(blob)
    np.testing.assert_array_equal(m2.sample(7, n_samples=3, random_state=1), s)
    assert m2.score(rolls) == m.score(rolls)
    # a pickled model continues training exactly as the original (optimizer state kept)
    m.partial_fit(rolls)
    m2.partial_fit(rolls)
    for a, b in zip(m.module_.parameters(), m2.module_.parameters()):
        torch.testing.assert_close(a, b)
    c = clone(m)
    assert c.get_params() == m.get_params() and not hasattr(c, "module_")
    c.set_params(solver="rmsprop", learning_rate_init=0.01).fit(rolls)
    assert isinstance(c._optimizer, torch.optim.RMSprop)


def test_errors():
    with pytest.raises(ValueError, match="non-empty list"):
        RNNRBM().fit([])
    with pytest.raises(ValueError, match="notes"):
        RNNRBM(max_iter=1).fit([np.zeros((3, 4)), np.zeros((3, 5))])
    with pytest.raises(ValueError, match="NaN"):
        RNNRBM(max_iter=1).fit([np.full((3, 4), np.nan)])
    with pytest.raises(ValueError, match="binary"):
        RNNRBM(max_iter=1).fit([np.full((3, 4), 0.5)])
    with pytest.raises(ValueError, match="2-D"):
        RNNRBM(max_iter=1).fit([np.zeros(4)])
    with pytest.raises(ValueError):
        RNNRBM(solver="lbfgs").fit(_rolls())
    with pytest.raises(ValueError):
        RNNRBM(batch_size=0).fit(_rolls())
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        RNNRBM().sample(3)
    m = _small().fit(_rolls())
    with pytest.raises(ValueError, match="notes"):
        m.score([np.zeros((3, 4), np.float32)])
    with pytest.raises(ValueError, match="n_steps"):
        m.sample(0)


def test_nottingham_beats_independent_bernoulli(data_dir):
    """CI-sized: 100 training pieces cut to their first 100 frames, 5 epochs (~5 s); test
    log-likelihood on 10 test pieces (first 100 frames) against per-note Bernoulli
    probabilities fitted on the same training frames."""
    from skdeep.datasets import load_piano_rolls

    try:
        train, _, test = load_piano_rolls("Nottingham")
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    rs = np.random.RandomState(0)
    train = [train[i][:100] for i in rs.permutation(len(train))[:100]]
    test = [test[i][:100] for i in rs.permutation(len(test))[:10]]
    p = np.clip(np.concatenate(train).mean(0), 1e-3, 1 - 1e-3)
    X = np.concatenate(test)
    baseline = float((X * np.log(p) + (1 - X) * np.log1p(-p)).sum(1).mean())
    m = RNNRBM(max_iter=5, pretrain_n_iter=0, pretrain_max_iter=0, device="cpu",
               random_state=0).fit(train)
    ll = m.score(test)
    # measured: -7.2 / -8.6 (seeds 0 / 1) against -10.56
    assert ll > baseline + 1.5, (ll, baseline)
    # the independent-notes model predicts no note above 0.5 (accuracy 0); measured 0.45
    acc = m.frame_accuracy_score(test, method="threshold")
    assert acc > 0.35, acc
    s = m.sample(20, n_samples=2, random_state=0)
    assert s.shape == (2, 20, 88) and set(np.unique(s)) <= {0.0, 1.0}


def test_reproduce_row_skips_without_data_and_draws_rolls(tmp_path, monkeypatch):
    from skdeep._reproduce.music import ROWS, run_rnnrbm
    from skdeep.plotting import plot_piano_roll

    assert any(r.run is run_rnnrbm and "75.4%" in r.tutorial for r in ROWS)
    monkeypatch.setenv("SKDEEP_DATA", str(tmp_path))
    assert run_rnnrbm(None, quick=True, tutorial_settings=False, device="cpu",
                      random_state=0, out=tmp_path) is None
    pytest.importorskip("matplotlib")
    rolls = _small().fit(_rolls()).sample(12, n_samples=2, random_state=0)
    ax = plot_piano_roll(rolls[0], title="samples")
    path = tmp_path / "rolls.png"
    ax.figure.savefig(path)
    assert path.stat().st_size > 0


def test_save_and_load(tmp_path):
    import skdeep

    rolls = _rolls()
    m = _small().fit(rolls)
    path = tmp_path / "rnnrbm.pt"
    m.save(path)      # module state_dict + plain attributes, no pickled code
    if not hasattr(skdeep, "RNNRBM"):
        pytest.skip("load() needs RNNRBM among skdeep's exported estimators")
    m2 = RNNRBM.load(path)
    np.testing.assert_array_equal(m2.sample(5, n_samples=2, random_state=0),
                                  m.sample(5, n_samples=2, random_state=0))
    m2.partial_fit(rolls)
    assert m2.n_iter_ == 3


def test_grid_search_in_parallel_ranks_by_log_likelihood():
    """``score`` is the log-likelihood, so a search needs no scorer; workers pickle the
    estimator and train in their own processes."""
    from sklearn.model_selection import GridSearchCV
    # scales climbing one note per frame: predictable from the past, unlike the
    # independent-notes model both candidates start from
    rolls = [np.eye(8, dtype=np.float32)[(np.arange(12 + i) + i) % 8] for i in range(8)]
    search = GridSearchCV(_small(max_iter=20), {"learning_rate_init": [1e-6, 0.05]}, cv=2,
                          n_jobs=2).fit(rolls)
    assert search.best_params_ == {"learning_rate_init": 0.05}
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


# ---------------------------------------------------------------- expected frame accuracy
def _exact_expected_accuracy(m, rolls):
    """Every frame's next-frame distribution by enumeration of its 2**V states (exact
    partition function), then the expected counts pooled over the set and the per-frame
    expected accuracy averaged over frames."""
    from skdeep.nn import rbm as F_rbm

    mod = copy.deepcopy(m.module_).double().requires_grad_(False)
    V = m.n_features_in_
    states = F_rbm.all_binary_states(V)
    tp = fp = fn = 0.0
    frame_acc = []
    for r in rolls:
        v = torch.as_tensor(r, dtype=torch.float64)
        bv, bh = mod.frame_biases(v[None])
        for t in range(len(r)):
            neg_f = -F_rbm.free_energy(states, mod.W, bv[0, t].expand(len(states), -1),
                                       bh[0, t].expand(len(states), -1))
            p = torch.softmax(neg_f, 0)
            hit = states @ v[t]
            e_tp = float(p @ hit)
            e_fp = float(p @ (states.sum(1) - hit))
            e_fn = float(p @ (v[t].sum() - hit))
            tp, fp, fn = tp + e_tp, fp + e_fp, fn + e_fn
            d = states.sum(1) + v[t].sum() - hit
            acc = torch.where(d > 0, hit / d.clamp_min(1), torch.ones_like(d))
            frame_acc.append(float(p @ acc))
    return tp / (tp + fp + fn), float(np.mean(frame_acc))


def test_expected_accuracy_matches_exact_enumeration():
    rs = np.random.RandomState(3)
    rolls = [(rs.rand(7, 4) < 0.4).astype(np.float32) for _ in range(3)]
    m = _small(n_hidden=3, n_hidden_recurrent=3, k=3, max_iter=20, learning_rate_init=0.05,
               batch_size=3).fit(rolls)
    exact_set, exact_frame = _exact_expected_accuracy(m, rolls)
    for average, exact in (("set", exact_set), ("frame", exact_frame)):
        est = m.frame_accuracy_score(rolls, n_samples=4000, k=30, average=average,
                                     random_state=1)
        se = m.frame_accuracy_se_
        assert 0 < se < 0.01, se
        assert abs(est - exact) < 4 * se + 2e-3, (average, est, exact, se)
    # one draw per frame has no standard error; the thresholded accuracy has none either
    m.frame_accuracy_score(rolls, n_samples=1)
    assert np.isnan(m.frame_accuracy_se_)
    m.frame_accuracy_score(rolls, method="threshold")
    assert np.isnan(m.frame_accuracy_se_)


def test_expected_accuracy_of_factorised_predictors_is_closed_form():
    from skdeep._rnnrbm_eval import expected_frame_accuracy

    y = np.array([[1, 0, 1], [0, 0, 0]], np.float32)
    p = np.array([[0.5, 0.5, 1.0], [0.0, 0.5, 0.0]])
    # E[TP] = 1.5, E[FP] = 0.5 + 0.5, E[FN] = 0.5
    assert expected_frame_accuracy([y], [p]) == pytest.approx(1.5 / 3.0)
    assert expected_frame_accuracy([y], [y]) == 1.0
    with pytest.raises(ValueError, match="set"):
        expected_frame_accuracy([y], [p], average="frame")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        expected_frame_accuracy([y], [p + 1])


def test_frame_accuracy_score_errors():
    m = _small().fit(_rolls())
    with pytest.raises(ValueError, match="method"):
        m.frame_accuracy_score(_rolls(), method="mode")
    with pytest.raises(ValueError, match="average"):
        m.frame_accuracy_score(_rolls(), average="piece")
    with pytest.raises(ValueError, match="n_samples"):
        m.frame_accuracy_score(_rolls(), n_samples=0)


# ---------------------------------------------------------------- the training recipe
def test_rbm_pretraining_starts_the_whole_model_from_that_rbm(monkeypatch):
    import skdeep._rnnrbm_train as T

    calls = []
    real = T.pretrain_rbm_stack

    def spy(X, sizes, **kw):
        calls.append((X.shape, sizes, kw["epochs"], kw["learning_rate"]))
        return real(X, sizes, **kw)

    monkeypatch.setattr(T, "pretrain_rbm_stack", spy)
    rolls = _rolls()
    m = _small(pretrain_n_iter=3, pretrain_learning_rate=0.1, max_iter=1, solver="sgd",
               momentum=0.0, learning_rate_init=1e-12).fit(rolls)
    # one RBM of n_hidden units on all the training frames, through the shared RBM code
    assert calls == [((sum(map(len, rolls)), 10), [8], 3, 0.1)]
    assert len(m.pretrain_loss_curve_) == 3 and m.pretrain_rnn_loss_curve_ == []
    # the recurrent-to-RBM weights start at zero: every frame's RBM is the pretrained one
    assert float(m.module_.Wuv.detach().abs().max()) < 1e-9
    assert float(m.module_.Wuh.detach().abs().max()) < 1e-9
    assert m.n_iter_ == 1 and len(m.loss_curve_) == 1


def test_rnn_pretraining_learns_the_next_frame():
    # scales climbing one note per frame: predictable from the previous frame
    rolls = [np.eye(8, dtype=np.float32)[(np.arange(12 + i) + i) % 8] for i in range(6)]
    m = _small(pretrain_max_iter=40, pretrain_learning_rate_init=0.05, max_iter=1,
               learn_initial_state=True).fit(rolls)
    curve = m.pretrain_rnn_loss_curve_
    assert len(curve) == 40 and curve[-1] < 0.5 * curve[0]
    # its outputs are the RBM's visible biases, so the RNN-RBM starts as that RNN
    assert m.score(rolls) > -curve[0]
    assert float(m.module_.u0.detach().abs().max()) > 0


def test_optimizer_groups_nesterov_and_clipping():
    rolls = _rolls()
    m = _small(solver="sgd", learning_rate_init=0.02, rnn_learning_rate_init=0.005,
               momentum=0.5, nesterovs_momentum=True, max_iter=1).fit(rolls)
    groups = m._optimizer.param_groups
    assert [g["lr"] for g in groups] == [0.02, 0.005]
    assert all(g["nesterov"] and g["momentum"] == 0.5 for g in groups)
    assert len(groups[0]["params"]) == 3
    # one step of plain SGD at rate 1 with the gradient clipped to norm 1e-3
    m0 = _small(max_iter=1, learning_rate_init=1e-12, solver="sgd", momentum=0.0).fit(rolls)
    m1 = _small(max_iter=1, learning_rate_init=1.0, solver="sgd", momentum=0.0,
                batch_size=len(rolls), max_grad_norm=1e-3).fit(rolls)
    with torch.no_grad():
        moved = torch.sqrt(sum(((a - b) ** 2).sum() for a, b in
                               zip(m0.module_.parameters(), m1.module_.parameters())))
    assert 1e-4 < float(moved) <= 1e-3 * (1 + 1e-4)


def test_validation_pieces_drive_stopping_selection_and_the_schedule():
    rolls, val = _rolls(n=6), _rolls(n=3, seed=1)
    m = _small(max_iter=6, learning_rate_init=0.05).fit(rolls, X_val=val)
    assert len(m.validation_scores_) == m.n_iter_ == len(m.loss_curve_) == 6
    assert all(isinstance(s, float) for s in m.validation_scores_)
    assert m.best_validation_score_ == max(m.validation_scores_)
    # the kept weights are the best epoch's: scoring them reproduces the best score
    with torch.no_grad():
        ll = np.concatenate(m._score_frames(m.module_, val, method="is", n_betas=None,
                                            k=m.k, gen=m._generator(m._seed_, "cpu"),
                                            **m._validation_is)).mean()
    assert ll == pytest.approx(m.best_validation_score_, abs=1e-5)
    # early stopping on a held-out fraction of the pieces
    e = _small(max_iter=50, early_stopping=True, validation_fraction=0.34,
               learning_rate="constant", n_iter_no_change=1, tol=10.0).fit(rolls)
    assert e.stop_reason_ == "converged" and e.n_iter_ < 50
    assert len(e.validation_scores_) == e.n_iter_
    # the adaptive schedule lowers both rates instead of stopping
    a = _small(max_iter=6, learning_rate="adaptive", n_iter_no_change=1, tol=10.0,
               rnn_learning_rate_init=0.002).fit(rolls, X_val=val)
    assert a.n_iter_ == 6
    lrs = [g["lr"] for g in a._optimizer.param_groups]
    assert lrs[0] < 0.01 and lrs[1] < 0.002 and lrs[0] / lrs[1] == pytest.approx(5.0)
    with pytest.raises(ValueError, match="validation_fraction"):
        _small(early_stopping=True, validation_fraction=0.01).fit(rolls)
    with pytest.raises(ValueError, match="X_val"):
        _small().fit(rolls, X_val=[np.zeros((3, 4), np.float32)])


def test_learned_initial_state_survives_pickling_and_predict_k():
    rolls = _rolls()
    m = _small(learn_initial_state=True, predict_k=1).fit(rolls)
    assert float(m.module_.u0.detach().abs().max()) > 0
    m2 = pickle.loads(pickle.dumps(m))
    assert m2.module_.u0.requires_grad
    torch.testing.assert_close(m2.module_.u0, m.module_.u0)
    assert m2._k_infer == 1 and _small()._k_infer == 2
    f = _small().fit(rolls)
    assert float(f.module_.u0.detach().abs().max()) == 0.0
