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
