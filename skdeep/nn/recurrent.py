"""Recurrent networks of the tutorial's sequence chapters, as torch modules.

Both take padded ``(B, T)`` blocks of token ids with the per-sequence ``lengths``; the
recurrences are causal and run left to right, so what a real position computes never
depends on the padding after its sequence's end: a padded batch gives every sequence
exactly the outputs it gets alone.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

__all__ = ["ElmanTagger", "LSTMEncoderClassifier", "length_mask"]


def length_mask(lengths, T, device, dtype=torch.bool):
    """``(B, T)`` mask of the real (non-padded) positions."""
    lengths = lengths.to(device, non_blocking=True)
    return (torch.arange(T, device=device)[None, :] < lengths[:, None]).to(dtype)


class ElmanTagger(torch.nn.Module):
    """The Elman network of the tutorial's slot-filling chapter (Mesnil et al. 2013).

    Each token is represented by the concatenated embeddings of the ``window_size`` words
    centred on it (``pad_id`` beyond the sentence's ends), then
    ``h_t = sigmoid(x_t Wx + h_{t-1} Wh + bh)`` with a learned ``h0``, and a softmax per
    token. All weights start as ``0.2 * uniform(-1, 1)`` and biases at zero, as in the
    tutorial.
    """

    def __init__(self, n_embeddings, embedding_dim, window_size, n_hidden, n_classes,
                 pad_id, generator=None):
        super().__init__()
        if window_size < 1 or window_size % 2 == 0:
            raise ValueError(f"window_size must be odd and >= 1, got {window_size}")
        self.window_size = window_size
        self.pad_id = pad_id

        def uniform(*shape):
            return torch.nn.Parameter(
                0.2 * (2 * torch.rand(*shape, generator=generator) - 1))

        self.embedding = uniform(n_embeddings, embedding_dim)
        self.Wx = uniform(embedding_dim * window_size, n_hidden)
        self.Wh = uniform(n_hidden, n_hidden)
        self.W = uniform(n_hidden, n_classes)
        self.bh = torch.nn.Parameter(torch.zeros(n_hidden))
        self.b = torch.nn.Parameter(torch.zeros(n_classes))
        self.h0 = torch.nn.Parameter(torch.zeros(n_hidden))

    def windows(self, ids):
        """``(B, T, window_size)`` ids of each position's context window."""
        half = self.window_size // 2
        padded = F.pad(ids, (half, half), value=self.pad_id)
        return padded.unfold(1, self.window_size, 1)

    def forward(self, ids, lengths=None):
        """Logits of shape ``(B, T, n_classes)``."""
        B, T = ids.shape
        x = self.embedding[self.windows(ids)].reshape(B, T, -1)
        a = torch.addmm(self.bh, x.reshape(B * T, -1), self.Wx).reshape(B, T, -1)
        h = self.h0.expand(B, -1)
        hs = []
        for t in range(T):
            h = torch.sigmoid(torch.addmm(a[:, t], h, self.Wh))
            hs.append(h)
        H = torch.stack(hs, dim=1)
        return H @ self.W + self.b

    @torch.no_grad()
    def normalize_embeddings(self):
        """Rescale every embedding to unit length (the tutorial does it after each update)."""
        E = self.embedding
        E.div_(E.norm(dim=1, keepdim=True).clamp_min_(1e-12))


def _orthogonal_blocks(n_blocks, dim, generator):
    """``n_blocks`` random orthogonal ``(dim, dim)`` matrices stacked along dim 0."""
    blocks = []
    for _ in range(n_blocks):
        q, r = torch.linalg.qr(torch.randn(dim, dim, generator=generator))
        blocks.append(q * torch.sign(torch.diagonal(r))[None, :])
    return torch.cat(blocks, dim=0)


class LSTMEncoderClassifier(torch.nn.Module):
    """The tutorial's LSTM sentiment model: embedding, LSTM, mean pooling over the real
    time steps (max pooling as an option), dropout, logistic layer.

    Initialisation as in the tutorial: embeddings and the output weights
    ``0.01 * randn``, each LSTM gate's input and recurrent matrices orthogonal, biases
    zero. The LSTM's hidden size equals ``embedding_dim`` (the tutorial's ``dim_proj``).
    """

    def __init__(self, n_embeddings, embedding_dim, n_classes, dropout=0.5, generator=None,
                 pooling="mean"):
        super().__init__()
        if pooling not in ("mean", "max"):
            raise ValueError(f"pooling must be 'mean' or 'max', got {pooling!r}")
        self.pooling = pooling
        d = embedding_dim
        self.embedding = torch.nn.Parameter(
            0.01 * torch.randn(n_embeddings, d, generator=generator))
        self.lstm = torch.nn.LSTM(d, d, batch_first=True)
        with torch.no_grad():
            self.lstm.weight_ih_l0.copy_(_orthogonal_blocks(4, d, generator))
            self.lstm.weight_hh_l0.copy_(_orthogonal_blocks(4, d, generator))
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
        self.dropout = float(dropout)
        self.out = torch.nn.Linear(d, n_classes)
        with torch.no_grad():
            self.out.weight.copy_(0.01 * torch.randn(n_classes, d, generator=generator))
            self.out.bias.zero_()

    def encode(self, ids, lengths):
        """Mean (or max) of the LSTM outputs over each sequence's real steps:
        ``(B, embedding_dim)``."""
        B, T = ids.shape
        hidden, _ = self.lstm(self.embedding[ids])
        if self.pooling == "max":
            real = length_mask(lengths, T, hidden.device)
            return hidden.masked_fill(~real[:, :, None], float("-inf")).amax(1)
        mask = length_mask(lengths, T, hidden.device, hidden.dtype)
        total = torch.bmm(mask[:, None, :], hidden)[:, 0]
        return total / mask.sum(1, keepdim=True)

    def forward(self, ids, lengths, generator=None):
        """Class logits ``(B, n_classes)``.

        In training mode dropout draws its mask from ``generator`` (not torch's global
        RNG), so a seeded fit is reproducible whatever the caller did before it.
        """
        z = self.encode(ids, lengths)
        if self.training and self.dropout > 0:
            keep = torch.rand(z.shape, generator=generator, device=z.device) >= self.dropout
            z = z * keep.to(z.dtype) / (1.0 - self.dropout)
        return self.out(z)
