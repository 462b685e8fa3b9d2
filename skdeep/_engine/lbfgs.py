"""Full-batch L-BFGS, counted as scikit-learn counts it (iterations and evaluations)."""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class LBFGSResult:
    n_iter: int
    n_evals: int
    loss: float
    converged: bool
    message: str


def minimize_lbfgs(params, objective, *, max_iter, max_fun, tol, history_size=10):
    """Minimise ``objective()`` (a 0-d differentiable tensor) over ``params``.

    torch's L-BFGS with a strong-Wolfe line search stands in for SciPy's L-BFGS-B: at
    most ``max_iter`` iterations and ``max_fun`` evaluations of the objective, stopping
    when the largest gradient entry is at most ``tol`` (SciPy's ``gtol``) or when the
    loss stops changing (SciPy's ``ftol``, about 2.2e-9). The memory is 10 pairs, as
    SciPy's default.
    """
    params = list(params)
    dtype = params[0].dtype
    optimizer = torch.optim.LBFGS(
        params, lr=1.0, max_iter=int(max_iter), max_eval=int(max_fun),
        tolerance_grad=float(tol),
        tolerance_change=1e-12 if dtype == torch.float64 else 1e-7,
        history_size=history_size, line_search_fn="strong_wolfe")
    last = {}

    def closure():
        optimizer.zero_grad(set_to_none=True)
        loss = objective()
        loss.backward()
        last["loss"] = loss.detach()
        return loss

    optimizer.step(closure)
    state = optimizer.state[params[0]]
    n_iter = int(state.get("n_iter", 0))
    n_evals = int(state.get("func_evals", 0))
    with torch.no_grad():
        loss = float(objective())
    if n_evals >= max_fun:
        return LBFGSResult(n_iter, n_evals, loss, False,
                           "the number of function evaluations exceeded max_fun")
    if n_iter >= max_iter:
        return LBFGSResult(n_iter, n_evals, loss, False,
                           "the number of iterations reached max_iter")
    return LBFGSResult(n_iter, n_evals, loss, True, "converged")
