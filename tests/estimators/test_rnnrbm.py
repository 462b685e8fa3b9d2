"""RNN-RBM module: per-frame RBMs agree with the plain RBM; ragged batches; per-frame log Z."""
import torch

from skdeep.nn import rbm as F_rbm
from skdeep.nn.rnnrbm import (
    RNNRBMModule,
    accuracy_counts,
    frame_log_partition_ais,
    frame_log_partition_exact,
    frame_samples,
)


def _module(seed=0):
    g = torch.Generator().manual_seed(seed)
    m = RNNRBMModule(n_visible=6, n_hidden=5, n_hidden_recurrent=4, generator=g,
                     init_std=0.5).double()
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name != "u0":  # u_0 = 0 unless learned (tested separately)
                p.add_(0.3 * torch.randn(p.shape, generator=g, dtype=p.dtype))
    m.u0.requires_grad_(True)  # a learned initial state, so its gradient is checked too
    return m


def test_one_frame_sequence_is_the_plain_rbm():
    m = _module()
    v = (torch.rand(3, 1, 6, generator=torch.Generator().manual_seed(1)) < 0.5).double()
    bv, bh = m.frame_biases(v)
    # u_0 = 0, so the first frame's biases are bv + 0 Wuv + ... -> exactly the RBM's
    torch.testing.assert_close(bv[:, 0], m.bv.expand(3, -1))
    torch.testing.assert_close(bh[:, 0], m.bh.expand(3, -1))
    fe = m.free_energy(v, bv, bh)[:, 0]
    torch.testing.assert_close(fe, F_rbm.free_energy(v[:, 0], m.W, m.bv, m.bh))
    torch.testing.assert_close(F_rbm.prob_h_given_v(v[:, 0], m.W, bh[:, 0]),
                               F_rbm.prob_h_given_v(v[:, 0], m.W, m.bh))


def test_second_frame_biases_follow_the_recurrence():
    m = _module()
    v = (torch.rand(2, 3, 6, generator=torch.Generator().manual_seed(2)) < 0.5).double()
    bv, bh = m.frame_biases(v)
    u1 = torch.tanh(m.bu + v[:, 0] @ m.Wvu)
    torch.testing.assert_close(bv[:, 1], m.bv + u1 @ m.Wuv)
    torch.testing.assert_close(bh[:, 1], m.bh + u1 @ m.Wuh)


def test_ragged_batch_equals_one_at_a_time():
    m = _module()
    g = torch.Generator().manual_seed(3)
    a = (torch.rand(5, 6, generator=g) < 0.5).double()
    b = (torch.rand(3, 6, generator=g) < 0.5).double()
    v = torch.zeros(2, 5, 6, dtype=torch.float64)
    v[0], v[1, :3] = a, b
    fe = m.free_energy(v, *m.frame_biases(v))
    for i, s in enumerate((a, b)):
        one = s[None]
        torch.testing.assert_close(fe[i, :len(s)], m.free_energy(one, *m.frame_biases(one))[0])


def test_cd_cost_gradients_reach_the_rnn():
    m = _module()
    v = (torch.rand(2, 4, 6, generator=torch.Generator().manual_seed(4)) < 0.5).double()
    mask = torch.ones(2, 4, dtype=torch.float64)
    mask[1, 2:] = 0
    cost = m.cd_cost(v, mask, k=2, generator=torch.Generator().manual_seed(0))
    cost.backward()
    for name in ("W", "bv", "bh", "Wuv", "Wuh", "Wvu", "Wuu", "bu"):
        assert getattr(m, name).grad is not None and getattr(m, name).grad.abs().sum() > 0


def _ragged(seed=5, lengths=(5, 3, 1), V=6):
    g = torch.Generator().manual_seed(seed)
    seqs = [(torch.rand(n, V, generator=g) < 0.5).double() for n in lengths]
    T = max(lengths)
    v = torch.zeros(len(seqs), T, V, dtype=torch.float64)
    mask = torch.zeros(len(seqs), T, dtype=torch.float64)
    for i, s in enumerate(seqs):
        v[i, :len(s)] = s
        mask[i, :len(s)] = 1
    return seqs, v, mask


def test_ragged_batch_cost_and_gradients_equal_one_at_a_time():
    m = _module()
    seqs, v, mask = _ragged()
    g = torch.Generator().manual_seed(7)
    # fixed negatives (garbage on padded frames), so batched and single costs are comparable
    v_neg = (torch.rand(v.shape, generator=g) < 0.5).double()
    bv, bh = m.frame_biases(v)
    per_seq = m.cost_given_negatives(v, v_neg, mask, bv, bh)
    per_seq.sum().backward()
    batched = {n: p.grad.clone() for n, p in m.named_parameters()}
    m.zero_grad()
    total = {n: torch.zeros_like(p) for n, p in m.named_parameters()}
    for i, s in enumerate(seqs):
        one, neg = s[None], v_neg[i:i + 1, :len(s)]
        b1 = m.frame_biases(one)
        torch.testing.assert_close(bv[i, :len(s)], b1[0][0])
        torch.testing.assert_close(bh[i, :len(s)], b1[1][0])
        c = m.cost_given_negatives(one, neg, torch.ones(1, len(s), dtype=torch.float64), *b1)
        torch.testing.assert_close(per_seq[i], c[0])
        c.sum().backward()
        for n, p in m.named_parameters():
            if p.grad is not None:          # a one-frame piece never reaches the RNN
                total[n] += p.grad
        m.zero_grad()
    for n in total:
        torch.testing.assert_close(batched[n], total[n], rtol=1e-10, atol=1e-12)


def test_padded_frames_get_no_gradient():
    m = _module()
    seqs, v, mask = _ragged()
    v_pad = v.clone()
    v_pad[mask == 0] = 1.0       # different padding content
    bv, bh = m.frame_biases(v)
    bv2, bh2 = m.frame_biases(v_pad)
    neg = torch.zeros_like(v)
    a = m.cost_given_negatives(v, neg, mask, bv, bh)
    b = m.cost_given_negatives(v_pad, neg, mask, bv2, bh2)
    torch.testing.assert_close(a, b)


def test_frame_log_partition_ais_matches_exact():
    g = torch.Generator().manual_seed(0)
    W = torch.randn(8, 10, generator=g, dtype=torch.float64)
    bv = torch.randn(4, 10, generator=g, dtype=torch.float64) - 1
    bh = torch.randn(4, 8, generator=g, dtype=torch.float64)
    exact = frame_log_partition_exact(W, bv, bh)
    # brute force over both layers for one frame: an independent oracle for the helper
    from skdeep.nn.rbm import all_binary_states
    vs, hs = all_binary_states(10), all_binary_states(8)
    e = -(vs @ bv[0])[:, None] - (hs @ bh[0])[None, :] - vs @ W.t() @ hs.t()
    assert abs(torch.logsumexp(-e.reshape(-1), 0).item() - exact[0].item()) < 1e-9
    for base in (bv, torch.zeros_like(bv)):
        est = frame_log_partition_ais(W, bv, bh, base, n_chains=64, betas=300,
                                      generator=g, dtype=torch.float64)
        assert (est - exact).abs().max() < 0.15
    # schedule of two temperatures = plain importance sampling from the base; still finite
    est = frame_log_partition_ais(W, bv, bh, bv, n_chains=4, betas=torch.tensor([0.0, 1.0]),
                                  generator=g)
    assert torch.isfinite(est).all()


def test_rnn_with_zero_rbm_weights_is_the_sigmoid_next_frame_model():
    """With W = 0 each frame's RBM factorises into sigmoid(bv_t): its exact
    log-likelihood is minus the next-frame cross-entropy the recurrent pretraining uses."""
    m = _module()
    with torch.no_grad():
        m.W.zero_()
    seqs, v, mask = _ragged()
    bv, bh = m.frame_biases(v)
    torch.testing.assert_close(m.next_frame_logits(v), bv)
    real = mask.reshape(-1) > 0
    V, H = v.shape[-1], bh.shape[-1]
    bvf, bhf, vf = bv.reshape(-1, V)[real], bh.reshape(-1, H)[real], v.reshape(-1, V)[real]
    log_z = frame_log_partition_exact(m.W, bvf, bhf)
    ll = -F_rbm.free_energy(vf, m.W, bvf, bhf) - log_z
    torch.testing.assert_close(m.next_frame_cross_entropy(v, mask), -ll.mean())


def test_learned_initial_state_sets_the_first_frame():
    m = _module()
    with torch.no_grad():
        m.u0.copy_(torch.linspace(-1, 1, 4, dtype=torch.float64))
    v = torch.zeros(2, 3, 6, dtype=torch.float64)
    bv, bh = m.frame_biases(v)
    torch.testing.assert_close(bv[:, 0], (m.bv + m.u0 @ m.Wuv).expand(2, -1))
    torch.testing.assert_close(bh[:, 0], (m.bh + m.u0 @ m.Wuh).expand(2, -1))
    assert any(p is m.u0 for p in m.rnn_parameters())
    m.u0.requires_grad_(False)
    assert not any(p is m.u0 for p in m.rnn_parameters())
    assert len(m.rbm_parameters()) == 3


def test_frame_samples_and_accuracy_counts():
    m = _module()
    g = torch.Generator().manual_seed(3)
    bv, bh = m.bv.expand(4, -1), m.bh.expand(4, -1)
    init = torch.zeros(4, 6, dtype=torch.float64)
    s = frame_samples(m.W, bv, bh, init, 5, 2, generator=g)
    assert s.shape == (4, 5, 6) and set(s.unique().tolist()) <= {0.0, 1.0}
    pred = torch.tensor([[[1., 1., 0.], [0., 0., 0.]]])
    target = torch.tensor([[1., 0., 1.]])
    c = accuracy_counts(pred, target)
    # draw 0: TP 1, FP 1, FN 1; draw 1: nothing predicted, FN 2
    assert c[:, 0].tolist() == [[1.0, 0.0], [1.0, 0.0], [1.0, 2.0]]
