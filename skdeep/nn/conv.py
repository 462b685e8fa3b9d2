"""The tutorial's LeNet: convolution + max-pooling layers, a tanh layer, a logistic layer.

Pure torch; nothing here imports scikit-learn.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .layers import HiddenLayer, LogisticLayer

__all__ = ["LeNetConvPoolLayer", "LeNet", "conv_output_shape"]


def conv_output_shape(image_shape, kernel_sizes, pool_size):
    """Spatial ``(H, W)`` after each conv ("valid") + pool stage; raises ValueError when a
    stage would leave nothing, naming the stage and the sizes."""
    h, w = (int(s) for s in image_shape)
    shapes = []
    for i, k in enumerate(kernel_sizes):
        ch, cw = h - k + 1, w - k + 1
        if ch < 1 or cw < 1:
            raise ValueError(
                f"image_shape={tuple(image_shape)} is too small for kernel_sizes="
                f"{tuple(kernel_sizes)} and pool_size={pool_size}: conv layer {i} gets "
                f"{h}x{w} maps and a {k}x{k} kernel. Use smaller kernel_sizes or pool_size.")
        h, w = ch // pool_size, cw // pool_size
        if h < 1 or w < 1:
            raise ValueError(
                f"image_shape={tuple(image_shape)} is too small for kernel_sizes="
                f"{tuple(kernel_sizes)} and pool_size={pool_size}: pooling layer {i} gets "
                f"{ch}x{cw} maps. Use smaller kernel_sizes or pool_size.")
        shapes.append((h, w))
    return shapes


class LeNetConvPoolLayer(nn.Module):
    """``tanh(maxpool(conv(x)) + b)`` as in the tutorial (bias added after pooling, which
    equals pooling after it since the bias is constant per map).

    Weights U(±sqrt(6 / (fan_in + fan_out))) with ``fan_in = C k k`` and
    ``fan_out = n_kernels k k / pool**2``; biases zero.
    """

    def __init__(self, in_channels: int, n_kernels: int, kernel_size: int, pool_size: int,
                 generator: torch.Generator | None = None):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, n_kernels, kernel_size, bias=False)
        self.bias = nn.Parameter(torch.zeros(n_kernels))
        self.pool_size = pool_size
        fan_in = in_channels * kernel_size * kernel_size
        fan_out = n_kernels * kernel_size * kernel_size / (pool_size * pool_size)
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        with torch.no_grad():
            self.conv.weight.uniform_(-bound, bound, generator=generator)

    def forward(self, x):
        x = self.conv(x)
        if self.pool_size > 1:
            x = F.max_pool2d(x, self.pool_size)
        return torch.tanh(x + self.bias.view(1, -1, 1, 1))


class LeNet(nn.Module):
    """conv-pool layers, a fully connected tanh layer and a logistic layer; returns logits.

    Input: ``(n, in_channels, H, W)`` tensors.
    """

    def __init__(self, in_channels: int, image_shape, n_classes: int, n_kernels=(20, 50),
                 kernel_sizes=(5, 5), pool_size: int = 2, n_hidden: int = 500,
                 generator: torch.Generator | None = None):
        super().__init__()
        if len(kernel_sizes) != len(n_kernels):
            raise ValueError(f"kernel_sizes {tuple(kernel_sizes)} and n_kernels "
                             f"{tuple(n_kernels)} must have the same length.")
        shapes = conv_output_shape(image_shape, kernel_sizes, pool_size)
        layers, prev = [], in_channels
        for n_k, k in zip(n_kernels, kernel_sizes):
            layers.append(LeNetConvPoolLayer(prev, n_k, k, pool_size, generator))
            prev = n_k
        self.conv_layers = nn.Sequential(*layers)
        h, w = shapes[-1]
        self.hidden_layer = HiddenLayer(prev * h * w, n_hidden, "tanh", generator)
        self.output = LogisticLayer(n_hidden, n_classes)

    def features(self, x):
        """The fully connected tanh layer's activations (500 units in the tutorial)."""
        x = self.conv_layers(x)
        return self.hidden_layer(torch.flatten(x, 1))

    def forward(self, x):
        return self.output(self.features(x))
