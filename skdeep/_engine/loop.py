"""The epoch loop every skdeep estimator trains with.

One function, :func:`train`, owns what is the same for every model: epochs over on-device
minibatches, the loss read once per epoch (never inside the step loop), validation,
early stopping, best-state restore, history, the progress bar, and what happens on a
non-finite loss or a KeyboardInterrupt. A model supplies only ``step``: a function of one
minibatch that updates the module and returns the batch's mean loss as a 0-d tensor.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import torch

from .batches import as_source


class NonFiniteLossError(ValueError):
    """Raised when the training loss becomes NaN or infinite."""


@dataclass
class History:
    """What one call of :func:`train` did, epoch by epoch."""

    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_validation_score: float | None = None
    best_loss: float = math.inf
    n_iter: int = 0
    stop_reason: str = "max_iter"  # "converged" | "max_iter" | "nonfinite" | "interrupted"
    no_improvement: int = 0  # epochs without improvement when training ended


class Stages:
    """The stages of one multi-stage fit (greedy layers, then finetuning).

    :func:`train` turns a Ctrl-C into a normal return with ``stop_reason ==
    "interrupted"``; a fit made of several ``train`` calls asks :meth:`epochs` for each
    stage's epoch budget, which is 0 once a stage was interrupted, so one Ctrl-C stops
    the whole fit (every later stage is still built, so the estimator stays usable).
    """

    def __init__(self):
        self.histories = []
        self.interrupted = False

    def epochs(self, n: int) -> int:
        return 0 if self.interrupted else n

    def record(self, history: "History") -> "History":
        if self.interrupted and not history.loss_curve:
            history.stop_reason = "interrupted"
        self.histories.append(history)
        if history.stop_reason == "interrupted":
            self.interrupted = True
        return history

    @property
    def n_iter(self) -> int:
        return sum(h.n_iter for h in self.histories)

    @property
    def loss_curve(self) -> list:
        return [loss for h in self.histories for loss in h.loss_curve]

    @property
    def stop_reason(self) -> str:
        if self.interrupted:
            return "interrupted"
        return self.histories[-1].stop_reason if self.histories else "max_iter"


def snapshot(module: torch.nn.Module) -> dict:
    """A detached copy of the module's state, for best-weights restore."""
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _finite_state(module: torch.nn.Module) -> torch.Tensor:
    """A 0-d bool tensor on the module's device: every floating parameter and buffer is finite.

    It stays on the device so that the epoch's one host sync reads it together with the loss.
    """
    flags = [torch.isfinite(t).all() for t in (*module.parameters(), *module.buffers())
             if t.is_floating_point() or t.is_complex()]
    if not flags:
        return torch.ones((), dtype=torch.bool)
    if len({f.device for f in flags}) > 1:
        flags = [f.cpu() for f in flags]
    return torch.stack(flags).all()


def train(module, step, data, *, batch_size, max_iter, generator=None, shuffle=True,
          validate=None, tol=1e-4, n_iter_no_change=10, stop_on_loss=True,
          verbose=0, desc="fit", epoch_end=None, on_plateau=None, report=None,
          restore_on_plateau=True, best_loss=math.inf, best_validation_score=None,
          no_improvement=0) -> History:
    """Train ``module`` for up to ``max_iter`` epochs.

    Parameters
    ----------
    module : torch.nn.Module
        Its state is snapshotted for best-weights restore when ``validate`` is given.
    step : callable
        ``step(*batch) -> 0-d tensor``: one update on one minibatch; returns the mean loss
        of the batch. It must not synchronise with the host.
    data : tuple of tensors, or a source from :mod:`skdeep._engine.batches`
        Tensors on the training device sharing their first dimension, or a
        :class:`~skdeep._engine.batches.StreamingSource` for out-of-core data.
    validate : callable or None
        ``validate() -> float``, higher is better. When given, stopping follows the
        validation score and the best-scoring weights are restored at the end.
    stop_on_loss : bool
        Without ``validate``, stop when the training loss has not improved by ``tol`` for
        ``n_iter_no_change`` epochs (scikit-learn's MLP rule). False runs all epochs.
    epoch_end : callable or None
        ``epoch_end(epoch)`` after each epoch (learning-rate schedules and the like).
    on_plateau : callable or None
        ``on_plateau() -> bool``, called instead of stopping when the stopping rule
        fires. True goes on training from the best weights so far (with validation)
        after, say, lowering the learning rate; False stops.
    report : callable or None
        ``report(epoch, loss, validation_score_or_None)`` after each epoch's stopping
        bookkeeping (scikit-learn's verbose lines).
    restore_on_plateau : bool
        Whether going on after ``on_plateau`` restarts from the best weights (the
        tutorials' schedule) or from the current ones (scikit-learn's adaptive rate).
    best_loss, best_validation_score, no_improvement
        The stopping rule's state to start from (a warm start continues it, as
        scikit-learn's MLP does).
    """
    hist = History(best_loss=best_loss, best_validation_score=best_validation_score)
    source = as_source(data)
    n = source.n_samples
    best_state = None
    bar = None
    if verbose:
        from tqdm.auto import tqdm

        bar = tqdm(total=max_iter, desc=desc, unit="epoch", leave=True)
    try:
        for epoch in range(1, max_iter + 1):
            total = torch.zeros((), device=source.device)
            for batch in source.batches(batch_size, generator, shuffle):
                loss = step(*batch)
                total.add_(loss.detach(), alpha=batch[0].shape[0])
            # The last step's update can overflow after its loss was computed finite: the
            # weights' finiteness rides on the epoch's one host sync, as a NaN loss.
            finite = _finite_state(module).to(total.device)
            epoch_loss = torch.where(finite, total, math.nan).item() / n
            if not math.isfinite(epoch_loss):
                hist.stop_reason = "nonfinite"
                loss = total.item() / n   # off the hot path: tell the two causes apart
                what = (f"The training loss became {loss}" if not math.isfinite(loss)
                        else "The weights became non-finite")
                message = (f"{what} at epoch {epoch}; "
                           "lower the learning_rate (or scale the input).")
                if validate is not None:
                    # a diverged epoch has no meaningful score; it is recorded as NaN
                    hist.validation_scores.append(math.nan)
                if best_state is None:
                    raise NonFiniteLossError(message)
                warnings.warn(message + " Keeping the best weights seen before it.",
                              RuntimeWarning, stacklevel=3)
                break
            hist.loss_curve.append(epoch_loss)
            hist.n_iter = epoch
            if epoch_end is not None:
                epoch_end(epoch)
            if validate is not None:
                score = float(validate())
                hist.validation_scores.append(score)
                best = hist.best_validation_score
                if best is None or score > best:
                    hist.best_validation_score = score
                    best_state = snapshot(module)
                if best is not None and score < best + tol:
                    no_improvement += 1
                else:
                    no_improvement = 0
            else:
                if epoch_loss > hist.best_loss - tol:
                    no_improvement += 1
                else:
                    no_improvement = 0
            hist.best_loss = min(hist.best_loss, epoch_loss)
            if bar is not None:
                postfix = {"loss": f"{epoch_loss:.4g}"}
                if hist.validation_scores:
                    postfix["val"] = f"{hist.validation_scores[-1]:.4g}"
                bar.set_postfix(postfix, refresh=False)
                bar.update(1)
            hist.no_improvement = no_improvement
            if report is not None:
                report(epoch, epoch_loss,
                       hist.validation_scores[-1] if validate is not None else None)
            if (validate is not None or stop_on_loss) and no_improvement > n_iter_no_change:
                if on_plateau is not None and on_plateau():
                    if best_state is not None and restore_on_plateau:
                        module.load_state_dict(best_state)
                    no_improvement = hist.no_improvement = 0
                    continue
                hist.stop_reason = "converged"
                break
    except KeyboardInterrupt:
        hist.stop_reason = "interrupted"
        if best_state is None and not bool(_finite_state(module)):
            # A step interrupted after its update overflowed has nothing finite to keep.
            raise NonFiniteLossError(
                f"Training was interrupted after {hist.n_iter} complete epoch(s) with "
                "non-finite weights and no finite best weights to keep; lower the "
                "learning_rate (or scale the input).") from None
        warnings.warn(
            f"Training interrupted after {hist.n_iter} complete epoch(s); keeping "
            + ("the best weights so far." if best_state is not None
               else "the weights of the last step."),
            RuntimeWarning, stacklevel=3)
    finally:
        if bar is not None:
            bar.close()
    if best_state is not None:
        module.load_state_dict(best_state)
    return hist
