"""The MLP's written-out backpropagation against autograd, for every loss and activation."""
import pytest
import torch

from skdeep.nn.layers import Perceptron, PerceptronBackprop, perceptron_loss


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("out_activation", ["softmax", "logistic", "identity", "exp"])
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_gradients_and_loss_equal_autograd(activation, out_activation, weighted):
    g = torch.Generator().manual_seed(0)
    module = Perceptron([7, 5, 4, 3], activation, torch.float64, g)
    x = torch.randn(6, 7, dtype=torch.float64, generator=g)
    if out_activation == "softmax":
        y = torch.randint(0, 3, (6,), generator=g)
    elif out_activation == "logistic":
        y = torch.randint(0, 2, (6, 3), generator=g).double()
    else:
        y = torch.rand(6, 3, dtype=torch.float64, generator=g)
    w = torch.rand(6, dtype=torch.float64, generator=g) if weighted else None
    alpha = 0.3
    n = w.sum() if weighted else 6
    loss = perceptron_loss(module(x), y, out_activation, w)
    loss = loss + 0.5 * alpha * sum((layer.weight ** 2).sum() for layer in module.layers) / n
    expected = torch.autograd.grad(loss, list(module.parameters()))
    backprop = PerceptronBackprop(module, out_activation, alpha)
    for _ in range(2):  # the second call runs on the kept buffers
        got = backprop(x, y, w)
        torch.testing.assert_close(got, loss.detach(), rtol=1e-12, atol=1e-12)
        for e, p in zip(expected, module.parameters()):
            torch.testing.assert_close(p.grad, e, rtol=1e-10, atol=1e-12)
