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


def perceptron_loss(raw, y, out_activation: str, sample_weight=None) -> torch.Tensor:
    """scikit-learn's MLP losses of a batch, as a 0-d tensor.

    ``softmax``: cross-entropy (``y`` class indices); ``logistic``: binary cross-entropy
    summed over the outputs (binary and multilabel); ``identity``: half the squared error;
    ``exp``: half the Poisson deviance. Each is averaged over the samples (weighted by
    ``sample_weight``) and summed over the outputs, so that its gradient with respect to
    ``raw`` is ``(output - y) / n`` as in scikit-learn's backpropagation.
    """
    if out_activation == "softmax":
        per_sample = torch.nn.functional.cross_entropy(raw, y, reduction="none")
    elif out_activation == "logistic":
        per_sample = torch.nn.functional.binary_cross_entropy_with_logits(
            raw, y, reduction="none").sum(1)
    elif out_activation == "exp":
        per_sample = (torch.special.xlogy(y, y) - y * raw - y + torch.exp(raw)).sum(1)
    else:
        per_sample = 0.5 * (raw - y).pow(2).sum(1)
    if sample_weight is None:
        return per_sample.sum() / per_sample.shape[0]
    return (per_sample * sample_weight).sum() / sample_weight.sum()
