"""The tutorials' denoising and contractive autoencoders (tied weights, sigmoid units) and
the SdA stack.

Pure torch; nothing here imports scikit-learn.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .layers import HiddenLayer, LogisticLayer, tutorial_uniform_

__all__ = ["TiedAutoencoder", "corrupt", "jacobian_sq_norm", "SdA", "LOSSES"]

LOSSES = ("cross_entropy", "squared_error")


def corrupt(x: torch.Tensor, level: float, generator: torch.Generator | None = None):
    """Masking noise: each input is set to 0 with probability ``level`` (the tutorial's
    ``get_corrupted_input``). ``level=0`` returns ``x`` itself."""
    if level <= 0:
        return x
    keep = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return x * (keep >= level).to(x.dtype)


def jacobian_sq_norm(h: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Squared Frobenius norm of the Jacobian of a sigmoid encoder, one per row of ``h``.

    For ``h = sigmoid(x W^T + b)`` the Jacobian is ``dh_j/dx_i = h_j (1 - h_j) W_ji``, so
    its squared norm is ``sum_j (h_j (1 - h_j))**2 sum_i W_ji**2`` (Rifai et al. 2011):
    one ``(n, n_hidden) @ (n_hidden,)`` product instead of the ``(n, n_hidden,
    n_visible)`` tensor the tutorial builds. ``weight`` has the ``(n_hidden, n_visible)``
    layout of :class:`TiedAutoencoder`.
    """
    slope = h * (1 - h)
    return slope.pow(2) @ weight.pow(2).sum(1)


class TiedAutoencoder(nn.Module):
    """An autoencoder whose decoder is the transpose of its encoder (the tutorials' dA and cA).

    ``h = sigmoid(x W^T + b)``, ``z = sigmoid(h W + b')`` (a linear decoder ``h W + b'``
    with ``loss="squared_error"``, for real-valued data). ``W`` has torch's
    ``(n_hidden, n_visible)`` layout and the tutorial's initialisation
    U(±4 sqrt(6 / (n_visible + n_hidden))); both biases start at zero.
    """

    def __init__(self, n_visible: int, n_hidden: int, loss: str = "cross_entropy",
                 generator: torch.Generator | None = None):
        super().__init__()
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}; got {loss!r}.")
        self.loss = loss
        self.weight = nn.Parameter(torch.empty(n_hidden, n_visible))
        tutorial_uniform_(self.weight, "sigmoid", generator)
        self.hidden_bias = nn.Parameter(torch.zeros(n_hidden))
        self.visible_bias = nn.Parameter(torch.zeros(n_visible))

    def encode(self, x):
        """The hidden code ``sigmoid(x W^T + b)``."""
        return torch.sigmoid(F.linear(x, self.weight, self.hidden_bias))

    def decode_preactivation(self, h):
        return F.linear(h, self.weight.t(), self.visible_bias)

    def decode(self, h):
        """The reconstruction of a hidden code."""
        z = self.decode_preactivation(h)
        return torch.sigmoid(z) if self.loss == "cross_entropy" else z

    def forward(self, x):
        return self.decode(self.encode(x))

    def cost_per_sample(self, x, corruption_level: float = 0.0,
                        generator: torch.Generator | None = None,
                        contraction_level: float = 0.0):
        """Reconstruction cost of each row of ``x`` from its corrupted version.

        Cross-entropy ``-sum(x log z + (1-x) log(1-z))`` (computed from the logits, so it
        never takes log 0) or the squared error ``sum((z - x)**2) / 2``, summed over the
        features as in the tutorial. ``contraction_level > 0`` adds that multiple of
        the squared Frobenius norm of the encoder's Jacobian at the encoded input (the
        contractive autoencoder's penalty, :func:`jacobian_sq_norm`), from the same code.
        """
        tilde = corrupt(x, corruption_level, generator)
        h = self.encode(tilde)
        z = self.decode_preactivation(h)
        if self.loss == "cross_entropy":
            cost = F.binary_cross_entropy_with_logits(z, x, reduction="none").sum(1)
        else:
            cost = 0.5 * (z - x).pow(2).sum(1)
        if contraction_level:
            cost = cost + contraction_level * jacobian_sq_norm(h, self.weight)
        return cost

    def reconstruction_cost(self, x, corruption_level: float = 0.0,
                            generator: torch.Generator | None = None,
                            contraction_level: float = 0.0):
        """Mean over the batch of :meth:`cost_per_sample` (the tutorial's ``cost``)."""
        return self.cost_per_sample(x, corruption_level, generator, contraction_level).mean()

    def jacobian_sq_norm(self, x):
        """Squared Frobenius norm of ``d encode(x) / dx`` for each row of ``x``."""
        return jacobian_sq_norm(self.encode(x), self.weight)


class SdA(nn.Module):
    """A stack of sigmoid layers (pretrained as denoising autoencoders) and a logistic layer.

    ``pretrained`` is a list of :class:`TiedAutoencoder`; each hidden layer starts from the
    encoder weights of the matching autoencoder (the tutorial shares them). Returns logits.
    """

    def __init__(self, n_in: int, hidden_layer_sizes, n_out: int, pretrained=None,
                 generator: torch.Generator | None = None):
        super().__init__()
        layers, prev = [], n_in
        for i, size in enumerate(hidden_layer_sizes):
            layer = HiddenLayer(prev, size, "sigmoid", generator)
            if pretrained is not None:
                ae = pretrained[i]
                if tuple(ae.weight.shape) != (size, prev):
                    raise ValueError(f"pretrained layer {i} has shape {tuple(ae.weight.shape)};"
                                     f" expected {(size, prev)}.")
                with torch.no_grad():
                    layer.weight.copy_(ae.weight)
                    layer.bias.copy_(ae.hidden_bias)
            layers.append(layer)
            prev = size
        self.hidden_layers = nn.Sequential(*layers)
        self.output = LogisticLayer(prev, n_out)

    def hidden(self, x):
        """The last hidden layer's activations."""
        return self.hidden_layers(x)

    def forward(self, x):
        return self.output(self.hidden_layers(x))
