"""Layers of the tutorials: ``HiddenLayer`` and ``LogisticLayer``, with their initialisation.

Pure torch; nothing here imports scikit-learn.
"""
from __future__ import annotations

import math

import torch
from torch import nn

ACTIVATIONS = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "identity": lambda x: x,
}


def tutorial_uniform_(weight: torch.Tensor, activation: str = "tanh",
                      generator: torch.Generator | None = None) -> torch.Tensor:
    """The tutorial's init: U(±sqrt(6 / (fan_in + fan_out))), four times wider for sigmoid.

    (Glorot & Bengio 2010; the ×4 for the logistic sigmoid is from the MLP chapter.)
    ``weight`` has torch's ``(fan_out, fan_in)`` layout.
    """
    fan_out, fan_in = weight.shape[0], weight.shape[1]
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    if activation == "sigmoid":
        bound *= 4.0
    with torch.no_grad():
        return weight.uniform_(-bound, bound, generator=generator)


class HiddenLayer(nn.Linear):
    """A fully connected layer followed by its activation, initialised as in the tutorial."""

    def __init__(self, n_in: int, n_out: int, activation: str = "tanh",
                 generator: torch.Generator | None = None):
        super().__init__(n_in, n_out)
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}; "
                             f"got {activation!r}.")
        self.activation = activation
        if activation == "relu":
            with torch.no_grad():
                bound = math.sqrt(6.0 / n_in)  # He-uniform: the tutorial has no ReLU
                self.weight.uniform_(-bound, bound, generator=generator)
        else:
            tutorial_uniform_(self.weight, activation, generator)
        nn.init.zeros_(self.bias)

    def forward(self, x):
        return ACTIVATIONS[self.activation](super().forward(x))


class LogisticLayer(nn.Linear):
    """The softmax output layer's affine part (logits); zero-initialised as in the tutorial."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__(n_in, n_out)
        nn.init.zeros_(self.weight)
        nn.init.zeros_(self.bias)


class MLP(nn.Sequential):
    """Hidden layers then a logistic layer; returns logits."""

    def __init__(self, n_in: int, hidden_layer_sizes, n_out: int, activation: str = "tanh",
                 generator: torch.Generator | None = None):
        layers, prev = [], n_in
        for size in hidden_layer_sizes:
            layers.append(HiddenLayer(prev, size, activation, generator))
            prev = size
        layers.append(LogisticLayer(prev, n_out))
        super().__init__(*layers)

    def hidden(self, x):
        """The last hidden layer's activations."""
        for layer in list(self)[:-1]:
            x = layer(x)
        return x


def glorot_uniform_(layer: nn.Linear, activation: str,
                    generator: torch.Generator | None = None) -> nn.Linear:
    """Glorot & Bengio's uniform init of weights and biases, as scikit-learn's MLP has it.

    Both are drawn from U(±sqrt(f / (fan_in + fan_out))) with ``f = 2`` for the logistic
    activation and 6 otherwise. The draw is in float64 and then cast, so a float32 and a
    float64 model with the same seed start from the same weights.
    """
    fan_out, fan_in = layer.weight.shape
    bound = math.sqrt((2.0 if activation == "logistic" else 6.0) / (fan_in + fan_out))
    with torch.no_grad():
        for p in (layer.weight, layer.bias):
            draw = torch.empty(p.shape, dtype=torch.float64)
            draw.uniform_(-bound, bound, generator=generator)
            p.copy_(draw)
    return layer


PERCEPTRON_ACTIVATIONS = {
    "identity": lambda x: x,
    "logistic": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
}


class Perceptron(nn.Module):
    """scikit-learn's multilayer perceptron: affine layers with a hidden activation.

    Without a ``generator`` the weights are left uninitialised, to be copied in.
    ``forward`` returns the output layer's pre-activation (logits, or the regression
    output before ``exp`` for the Poisson loss); the output activation belongs to the
    loss (:func:`perceptron_loss`), which is what makes its gradient ``output - y``.
    """

    def __init__(self, layer_units, activation: str = "relu", dtype=torch.float32,
                 generator: torch.Generator | None = None):
        super().__init__()
        if activation not in PERCEPTRON_ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(PERCEPTRON_ACTIVATIONS)}; "
                             f"got {activation!r}.")
        self.activation = activation
        # skip_init: torch's own init would draw from (and advance) the global RNG
        layers = [nn.utils.skip_init(nn.Linear, a, b, dtype=dtype)
                  for a, b in zip(layer_units[:-1], layer_units[1:])]
        if generator is not None:
            for layer in layers:
                glorot_uniform_(layer, activation, generator)
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        act = PERCEPTRON_ACTIVATIONS[self.activation]
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = act(x)
        return x


def perceptron_output(raw: torch.Tensor, out_activation: str) -> torch.Tensor:
    """The output activation: probabilities, or the regression prediction."""
    if out_activation == "softmax":
        return torch.softmax(raw, dim=1)
    if out_activation == "logistic":
        return torch.sigmoid(raw)
    if out_activation == "exp":
        return torch.exp(raw)
    return raw


def perceptron_sample_loss(raw, y, out_activation: str) -> torch.Tensor:
    """Each sample's loss, summed over the outputs (see :func:`perceptron_loss`)."""
    if out_activation == "softmax":
        return torch.nn.functional.cross_entropy(raw, y, reduction="none")
    if out_activation == "logistic":
        return torch.nn.functional.binary_cross_entropy_with_logits(
            raw, y, reduction="none").sum(1)
    if out_activation == "exp":
        return (torch.special.xlogy(y, y) - y * raw - y + torch.exp(raw)).sum(1)
    return 0.5 * (raw - y).pow(2).sum(1)


def perceptron_loss(raw, y, out_activation: str, sample_weight=None) -> torch.Tensor:
    """scikit-learn's MLP losses of a batch, as a 0-d tensor.

    ``softmax``: cross-entropy (``y`` class indices); ``logistic``: binary cross-entropy
    summed over the outputs (binary and multilabel); ``identity``: half the squared error;
    ``exp``: half the Poisson deviance. Each is averaged over the samples (weighted by
    ``sample_weight``) and summed over the outputs, so that its gradient with respect to
    ``raw`` is ``(output - y) / n`` as in scikit-learn's backpropagation.
    """
    per_sample = perceptron_sample_loss(raw, y, out_activation)
    if sample_weight is None:
        return per_sample.sum() / per_sample.shape[0]
    return (per_sample * sample_weight).sum() / sample_weight.sum()


def _hidden_backward_(delta: torch.Tensor, a: torch.Tensor, activation: str) -> torch.Tensor:
    """``delta`` times the hidden activation's derivative, from its output ``a``, in place.

    aten's own backward kernels: ``masked_fill_(a <= 0, 0)`` took 104-125 us on a 200x100
    batch on one CPU thread against 6 us for ``threshold_backward``.
    """
    if activation == "relu":
        return torch.ops.aten.threshold_backward.grad_input(delta, a, 0, grad_input=delta)
    if activation == "tanh":
        return torch.ops.aten.tanh_backward.grad_input(delta, a, grad_input=delta)
    if activation == "logistic":
        return torch.ops.aten.sigmoid_backward.grad_input(delta, a, grad_input=delta)
    return delta


class PerceptronBackprop:
    """The gradient step of a :class:`Perceptron`'s loss, with backpropagation written out.

    ``backprop(x, y, sample_weight=None)`` sets each parameter's ``.grad`` and returns
    the batch's loss: :func:`perceptron_loss` plus scikit-learn's L2 term ``0.5 * alpha
    * sum W**2 / n`` (``n`` the batch size, or the sum of its sample weights). The
    gradient is the one autograd gives, from a fraction of the kernels and none of the
    graph: on a 784-100-10 MLP on one CPU thread, autograd's bookkeeping and the loss's
    separate backward cost more than the step's matmuls below batch 200. The weights are
    read through detached aliases (no grad-mode switch per step) and the gradients are
    written into buffers reused from step to step.
    """

    def __init__(self, module: Perceptron, out_activation: str, alpha: float = 0.0):
        self.activation = module.activation
        self.out_activation = out_activation
        self.alpha = float(alpha)
        self.weights = [layer.weight.detach() for layer in module.layers]
        self.biases = [layer.bias.detach() for layer in module.layers]
        self.weights_t = [w.t() for w in self.weights]
        for layer in module.layers:
            for p in (layer.weight, layer.bias):
                if p.grad is None or p.grad.shape != p.shape:
                    p.grad = torch.empty_like(p)
        self.weight_grads = [layer.weight.grad for layer in module.layers]
        self.bias_grads = [layer.bias.grad for layer in module.layers]
        self.flat_weights = [w.view(-1) for w in self.weights]
        self._buffers = {}

    def _buffers_for(self, n):
        """Activation and delta buffers for a batch of ``n`` rows, kept between steps: a
        fresh activation buffer per step was page-faulted in each time (the first layer's
        forward matmul took 350 us instead of 270 at batch 200)."""
        bufs = self._buffers.get(n)
        if bufs is None:
            w = self.weights[0]
            sizes = [v.shape[0] for v in self.weights]
            bufs = ([w.new_empty((n, k)) for k in sizes], [w.new_empty((n, k)) for k in sizes])
            if len(self._buffers) > 4:  # a caller cycling through batch sizes
                self._buffers.clear()
            self._buffers[n] = bufs
        return bufs

    def _forward(self, x):
        act, last = self.activation, len(self.weights) - 1
        acts, h = [x], x
        outs = self._buffers_for(x.shape[0])[0]
        for i, (b, w_t) in enumerate(zip(self.biases, self.weights_t)):
            h = torch.addmm(b, h, w_t, out=outs[i])
            if i < last:
                if act == "relu":
                    h.relu_()
                elif act == "tanh":
                    h.tanh_()
                elif act == "logistic":
                    h.sigmoid_()
                acts.append(h)
        return acts, h

    def _output_delta(self, raw, y):
        """Per-sample loss and ``d(loss)/d(raw)`` times ``n``: ``output - y`` for every
        loss and output pair scikit-learn uses."""
        out = self.out_activation
        if out == "softmax":
            # loss and delta from one log-softmax: -log p_y, and p - onehot(y)
            logp = torch.log_softmax(raw, dim=1)
            idx = y.unsqueeze(1)
            per_sample = logp.gather(1, idx).neg_().squeeze(1)
            return per_sample, logp.exp_().scatter_add_(1, idx, raw.new_full(idx.shape, -1.0))
        return perceptron_sample_loss(raw, y, out), perceptron_output(raw, out) - y

    def __call__(self, x, y, sample_weight=None):
        acts, raw = self._forward(x)
        per_sample, delta = self._output_delta(raw, y)
        if sample_weight is None:
            scale = 1.0 / x.shape[0]
            loss = per_sample.sum() * scale
            delta.mul_(scale)
        else:
            scale = 1.0 / sample_weight.sum()
            w = sample_weight * scale
            loss = (per_sample * w).sum()
            delta.mul_(w.unsqueeze(1))
        alpha, act = self.alpha, self.activation
        deltas = self._buffers_for(x.shape[0])[1]
        for i in range(len(self.weights) - 1, -1, -1):
            weight, grad, a = self.weights[i], self.weight_grads[i], acts[i]
            if alpha and sample_weight is None:
                torch.addmm(weight, delta.t(), a, beta=alpha * scale, out=grad)
            else:
                torch.mm(delta.t(), a, out=grad)
                if alpha:
                    grad.add_(weight * (alpha * scale))
            torch.sum(delta, 0, out=self.bias_grads[i])
            if i > 0:
                delta = _hidden_backward_(torch.mm(delta, weight, out=deltas[i - 1]), a, act)
        if alpha:
            norm = self.flat_weights[0].dot(self.flat_weights[0])
            for w in self.flat_weights[1:]:
                norm = norm + w.dot(w)
            loss = loss + norm * (0.5 * alpha * scale)
        return loss
