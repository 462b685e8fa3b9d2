"""The step loop's fast paths agree with the slow ones they replace."""
import numpy as np
import pytest
import torch

from skdeep._engine.batches import TensorSource
from skdeep._engine.optim import FastUpdate, make_optimizer
from skdeep.base import as_tensor

SOLVERS = [("adam", {}), ("sgd", {}), ("sgd", {"momentum": 0.9}),
           ("sgd", {"momentum": 0.9, "nesterovs_momentum": True})]


def _params(dtype, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(5, 3, dtype=dtype, generator=g).requires_grad_(),
            torch.randn(3, dtype=dtype, generator=g).requires_grad_()]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("solver,options", SOLVERS)
def test_fast_update_follows_torch_step(solver, options, dtype):
    ref, fast = _params(dtype), _params(dtype)
    opt_ref = make_optimizer(solver, ref, 0.01, **options)
    opt_fast = make_optimizer(solver, fast, 0.01, **options)
    update = FastUpdate(opt_fast)
    assert update.kind == solver
    g = torch.Generator().manual_seed(1)
    for it in range(6):
        grads = [torch.randn(p.shape, dtype=dtype, generator=g) for p in ref]
        for p, q, gr in zip(ref, fast, grads):
            p.grad, q.grad = gr.clone(), gr.clone()
        opt_ref.step()
        update()
        if it == 2:  # a schedule changing the rate between steps
            for group in opt_ref.param_groups + opt_fast.param_groups:
                group["lr"] = 0.003
    tol = 0 if solver == "adam" or not options else 1e-6
    for p, q in zip(ref, fast):
        torch.testing.assert_close(p, q, rtol=tol, atol=tol)


@pytest.mark.parametrize("solver,options", SOLVERS)
def test_fast_update_state_round_trips(solver, options):
    """A saved and restored optimizer state continues as torch's own step would."""
    ref, fast = _params(torch.float64), _params(torch.float64)
    opt_ref = make_optimizer(solver, ref, 0.01, **options)
    opt_fast = make_optimizer(solver, fast, 0.01, **options)
    update = FastUpdate(opt_fast)
    for step in range(4):
        for p, q in zip(ref, fast):
            p.grad = torch.full_like(p, 0.1 * (step + 1))
            q.grad = p.grad.clone()
        if step == 2:
            # the fast path's state loads into a new torch optimizer, and back
            restored = make_optimizer(solver, fast, 0.01, **options)
            restored.load_state_dict(opt_fast.state_dict())
            opt_fast.load_state_dict(restored.state_dict())
        opt_ref.step()
        update()
    for p, q in zip(ref, fast):
        torch.testing.assert_close(p, q, rtol=1e-12, atol=1e-12)


def test_fast_update_falls_back_to_step():
    params = _params(torch.float32)
    opt = make_optimizer("rmsprop", params, 0.01)
    update = FastUpdate(opt)
    assert update.kind is None
    for p in params:
        p.grad = torch.ones_like(p)
    before = [p.detach().clone() for p in params]
    update()
    assert all(not torch.equal(a, p) for a, p in zip(before, params))


def test_fast_update_skips_parameters_without_gradient():
    params = _params(torch.float32)
    opt = make_optimizer("adam", params, 0.01)
    params[0].grad = torch.ones_like(params[0])
    frozen = params[1].detach().clone()
    FastUpdate(opt)()
    assert torch.equal(params[1], frozen)
    assert params[1] not in opt.state or not opt.state[params[1]]


def test_reused_buffers_give_the_same_batches():
    X = torch.arange(70.0).reshape(35, 2)
    y = torch.arange(35)
    fresh = [tuple(t.clone() for t in b) for b in
             TensorSource(X, y).batches(8, torch.Generator().manual_seed(3))]
    reused = [tuple(t.clone() for t in b) for b in
              TensorSource(X, y, reuse_buffers=True).batches(
                  8, torch.Generator().manual_seed(3))]
    assert len(fresh) == len(reused) == 5
    for a, b in zip(fresh, reused):
        assert all(torch.equal(s, t) for s, t in zip(a, b))
    assert sorted(torch.cat([b[1] for b in reused]).tolist()) == list(range(35))


def test_as_tensor_shares_only_when_asked_and_safe():
    X = np.ones((4, 3), dtype=np.float32)
    assert not np.shares_memory(as_tensor(X, "cpu").numpy(), X)
    assert np.shares_memory(as_tensor(X, "cpu", copy=False).numpy(), X)
    # another dtype, a non-contiguous view or a read-only array is copied all the same
    assert not np.shares_memory(as_tensor(X, "cpu", torch.float64, copy=False).numpy(), X)
    assert not np.shares_memory(as_tensor(X[:, ::2], "cpu", copy=False).numpy(), X)
    X.flags.writeable = False
    assert not np.shares_memory(as_tensor(X, "cpu", copy=False).numpy(), X)


@pytest.mark.parametrize("reuse", [False, True])
@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_cast_to_the_training_dtype(reuse, shuffle):
    X64 = torch.arange(60.0, dtype=torch.float64).reshape(20, 3) / 7
    y = torch.arange(20)
    cast = TensorSource(X64, y, reuse_buffers=reuse, dtype=torch.float32)
    plain = TensorSource(X64.float(), y)
    for (a, ya), (b, yb) in zip(cast.batches(6, torch.Generator().manual_seed(0), shuffle),
                                plain.batches(6, torch.Generator().manual_seed(0), shuffle)):
        assert a.dtype == torch.float32
        assert torch.equal(a, b) and torch.equal(ya, yb)


def test_shared_tensor_reads_the_callers_array():
    from skdeep.base import shared_tensor

    X = np.random.default_rng(0).random((5, 4))
    assert np.shares_memory(shared_tensor(X, "cpu").numpy(), X)
    X_f = np.asfortranarray(X)
    t = shared_tensor(X_f, "cpu")
    assert t.dtype == torch.float32 and not np.shares_memory(t.numpy(), X_f)
