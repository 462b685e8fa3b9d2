import os
import pathlib

import pytest
import torch


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir():
    """The folder of real datasets ($SKDEEP_DATA); tests using it skip when it is absent."""
    path = os.environ.get("SKDEEP_DATA")
    if not path or not pathlib.Path(path).is_dir():
        pytest.skip("SKDEEP_DATA is not set to a data folder")
    return pathlib.Path(path)


@pytest.fixture(scope="session")
def fashion_mnist():
    """Fashion-MNIST (train, test) or skip."""
    from skdeep.datasets import load_fashion_mnist

    try:
        return load_fashion_mnist()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def pytest_configure(config):
    # Under pytest-xdist each worker is its own process: one torch thread apiece keeps
    # the workers from oversubscribing the cores (small models are overhead-bound anyway).
    if os.environ.get("PYTEST_XDIST_WORKER"):
        torch.set_num_threads(1)


@pytest.fixture(params=[0, 42])
def global_random_seed(request):
    """scikit-learn's fixture of the same name (its test files take a seed from it)."""
    return request.param
