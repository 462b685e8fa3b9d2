"""Beyond one process: Dask search, out-of-core memmaps, precision options."""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV

from skdeep import LogisticClassifier, MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

X, y = load_digits(return_X_y=True)
X = (X / 16.0).astype(np.float32)


@pytest.mark.parametrize("precision", ["tf32", "bf16"])
def test_gpu_precisions_are_refused_on_cpu(precision):
    with pytest.raises(ValueError, match="applies to CUDA devices only"):
        MLPClassifier(precision=precision, device="cpu").fit(X, y)


def test_unknown_precision():
    with pytest.raises(ValueError, match="'precision' parameter"):
        MLPClassifier(precision="fp8").fit(X, y)


def test_memmap_streams_in_chunks_and_learns(tmp_path):
    path = tmp_path / "X.f32"
    big = np.memmap(path, dtype=np.float32, mode="w+", shape=X.shape)
    big[:] = X
    big.flush()
    ro = np.memmap(path, dtype=np.float32, mode="r", shape=X.shape)
    budget = 64 * 1024  # bytes: far smaller than the data, so it must stream
    streamed = LogisticClassifier(max_iter=30, random_state=0, max_device_memory=budget,
                                  device="cpu").fit(ro, y)
    in_memory = LogisticClassifier(max_iter=30, random_state=0, device="cpu").fit(X, y)
    assert streamed.n_features_in_ == 64
    assert streamed.score(X, y) > 0.9
    assert abs(streamed.score(X, y) - in_memory.score(X, y)) < 0.02


def test_streamed_chunks_are_validated(tmp_path):
    bad = np.memmap(tmp_path / "bad.f32", dtype=np.float32, mode="w+", shape=X.shape)
    bad[:] = X
    bad[-1, 3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        LogisticClassifier(max_iter=2, max_device_memory=4096).fit(bad, y)
    with pytest.raises(ValueError, match="explicit validation set"):
        LogisticClassifier(early_stopping=True, max_device_memory=4096).fit(bad, y)


def test_memmap_fit_keeps_resident_memory_far_below_the_file(tmp_path):
    """Fit on a 256 MB memmap with a 16 MB budget; the fit adds well under the file size
    to the process's peak resident memory."""
    n_rows, n_cols = 256 * 2**20 // (4 * 256), 256
    path = tmp_path / "big.f32"
    rng = np.random.default_rng(0)
    mm = np.memmap(path, dtype=np.float32, mode="w+", shape=(n_rows, n_cols))
    w = rng.normal(size=n_cols).astype(np.float32)
    for start in range(0, n_rows, 65536):
        block = rng.random((min(65536, n_rows - start), n_cols), dtype=np.float32)
        mm[start:start + len(block)] = block
    labels = (np.asarray(mm) @ w > np.median(np.asarray(mm[:20000]) @ w)).astype(np.int64)
    mm.flush()
    del mm
    np.save(tmp_path / "y.npy", labels)
    script = textwrap.dedent(f"""
        import json, resource, numpy as np, torch
        from skdeep import LogisticClassifier
        X = np.memmap({str(path)!r}, dtype=np.float32, mode="r", shape=({n_rows}, {n_cols}))
        y = np.load({str(tmp_path / 'y.npy')!r})
        LogisticClassifier(max_iter=1, batch_size=1024, device="cpu").fit(X[:2048], y[:2048])
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        clf = LogisticClassifier(max_iter=1, batch_size=1024, device="cpu",
                                 max_device_memory=16 * 2**20, random_state=0).fit(X, y)
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(json.dumps({{"added": after - before, "file": X.nbytes,
                          "acc": clf.score(X[:20000], y[:20000])}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env={"OMP_NUM_THREADS": "1", **__import__("os").environ})
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["added"] < 0.35 * res["file"], res
    assert res["acc"] > 0.8, res


def _probe_worker():
    import torch

    from skdeep._engine.device import _worker_index, thread_limit

    with thread_limit():
        return _worker_index(), torch.get_num_threads()


def test_dask_grid_search_matches_serial():
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_backend

    grid = {"learning_rate_init": [1e-3, 1e-2], "hidden_layer_sizes": [(8,), (16,)]}
    est = MLPClassifier(max_iter=5, random_state=0, device="cpu")
    serial = GridSearchCV(est, grid, cv=2, n_jobs=1).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with parallel_backend("dask"):
            dask = GridSearchCV(est, grid, cv=2, n_jobs=-1).fit(X, y)
        seen = {addr: client.submit(_probe_worker, workers=[addr], pure=False).result()
                for addr in client.scheduler_info()["workers"]}
    # each worker knows its index (the rule that spreads workers over GPUs: index mod
    # the GPU count) and trains with one torch thread
    assert sorted(index for index, _ in seen.values()) == [0, 1]
    assert all(threads == 1 for _, threads in seen.values())
    assert dask.best_params_ == serial.best_params_
    np.testing.assert_allclose(dask.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], atol=1e-6)


def test_regressor_streams_a_memmap_like_the_classifiers(tmp_path):
    """The regressors share the classifiers' fit, streaming from disk included: a
    memmap over the budget trains in chunks to about the in-memory fit's R²."""
    from sklearn.datasets import load_diabetes
    from sklearn.preprocessing import MinMaxScaler

    from skdeep import DBNRegressor

    Xd, yd = load_diabetes(return_X_y=True)
    Xd = MinMaxScaler().fit_transform(Xd).astype(np.float32)
    disk = np.memmap(tmp_path / "Xd.f32", dtype=np.float32, mode="w+", shape=Xd.shape)
    disk[:] = Xd
    disk.flush()
    params = dict(hidden_layer_sizes=(16,), pretrain_n_iter=2, max_iter=60,
                  random_state=0, device="cpu")
    streamed = DBNRegressor(max_device_memory=4096, **params).fit(disk, yd)
    in_memory = DBNRegressor(**params).fit(Xd, yd)
    assert streamed.score(Xd, yd) > 0.3
    assert abs(streamed.score(Xd, yd) - in_memory.score(Xd, yd)) < 0.05
    bad = yd.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        DBNRegressor(max_device_memory=4096, **params).fit(disk, bad)
