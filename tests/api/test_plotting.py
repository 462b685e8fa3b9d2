"""skdeep.plotting: the tutorial's tiling, pixel for pixel, and the plotting helpers."""
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.base import BaseEstimator  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from skdeep.plotting import (  # noqa: E402
    plot_filters,
    plot_learning_curve,
    plot_piano_roll,
    plot_samples,
    scale_to_unit_interval,
    tile_raster_images,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- tile_raster_images against the tutorial's definition ------------------------------
#
# The tutorial scales a tile by x -= x.min(); x *= 1.0 / (x.max() + 1e-8) in the tile's
# dtype, then writes x * 255 into uint8 (truncation). For the tile [0, 1, 2, 3]:
#   float64: 1 / (3 + 1e-8) = 0.333333332222..., so the pixels are
#            trunc(255 * k * 0.3333333322) = 0, 84, 169, 254;
#   float32: 3 + 1e-8 rounds to 3, 1/3 rounds to 0.33333334, so k * 0.33333334 * 255
#            rounds to 85, 170, 255 exactly: 0, 85, 170, 255.

def test_float64_tile_maximum_is_254():
    X = np.array([[0.0, 1.0, 2.0, 3.0]])
    out = tile_raster_images(X, (2, 2), (1, 1))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, [[0, 84], [169, 254]])


def test_float32_tile_maximum_is_255():
    X = np.array([[0.0, 1.0, 2.0, 3.0]], dtype=np.float32)
    out = tile_raster_images(X, (2, 2), (1, 1))
    np.testing.assert_array_equal(out, [[0, 85], [170, 255]])


def test_each_tile_is_scaled_on_its_own_and_gaps_are_zero():
    # tile 0: [10, 20, 30, 50] -> (x - 10) / (40 + 1e-8) * 255 = 0, 63.7, 127.49, 254.99
    # tile 1: [-1, -1, 1, 1]   -> (x + 1) / (2 + 1e-8) * 255  = 0, 0, 254.99, 254.99
    X = np.array([[10.0, 20.0, 30.0, 50.0], [-1.0, -1.0, 1.0, 1.0]])
    out = tile_raster_images(X, (2, 2), (1, 2), tile_spacing=(0, 1))
    np.testing.assert_array_equal(out, [[0, 63, 0, 0, 0],
                                        [127, 254, 0, 254, 254]])


def test_default_spacing_is_zero_and_output_shape_is_the_tutorials():
    X = np.random.RandomState(0).rand(6, 6)
    assert tile_raster_images(X, (2, 3), (2, 3)).shape == (4, 9)
    # (H + dy) * rows - dy, (W + dx) * cols - dx
    assert tile_raster_images(X, (2, 3), (2, 3), (1, 2)).shape == (2 * 3 - 1, 3 * 5 - 2)


def test_rows_past_the_grid_are_dropped_and_missing_tiles_are_zero():
    X = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 3.0]])
    out = tile_raster_images(X, (1, 2), (1, 2))  # room for 2 of 3 rows
    np.testing.assert_array_equal(out, [[0, 254, 0, 254]])
    out = tile_raster_images(X[:1], (1, 2), (2, 2))
    np.testing.assert_array_equal(out, [[0, 254, 0, 0], [0, 0, 0, 0]])


def test_constant_tile_is_black():
    out = tile_raster_images(np.full((1, 4), 7.0), (2, 2), (1, 1))
    np.testing.assert_array_equal(out, np.zeros((2, 2)))


def test_unscaled_float_output_passes_values_through_unclipped():
    X = np.array([[-0.5, 0.25, 2.0, 1.0]], dtype=np.float32)
    out = tile_raster_images(X, (2, 2), (1, 2), scale_rows_to_unit_interval=False,
                             output_pixel_vals=False)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[-0.5, 0.25, 0.0, 0.0], [2.0, 1.0, 0.0, 0.0]])


def test_unscaled_pixels_truncate_and_clip_instead_of_wrapping():
    # 0.25 * 255 = 63.75 -> 63; 0.5 * 255 = 127.5 -> 127; -0.5 and 2.0 clip to 0 and 255
    # (the tutorial's cast would wrap them to 129 and 254)
    X = np.array([[0.25, 0.5, -0.5, 2.0]])
    out = tile_raster_images(X, (2, 2), (1, 1), scale_rows_to_unit_interval=False)
    np.testing.assert_array_equal(out, [[63, 127], [0, 255]])


def test_scaled_float_output_keeps_the_input_dtype():
    X = np.array([[0.0, 1.0, 2.0, 3.0]], dtype=np.float32)
    out = tile_raster_images(X, (2, 2), (1, 1), output_pixel_vals=False)
    assert out.dtype == np.float32
    third = np.float32(1) / np.float32(3)
    np.testing.assert_array_equal(out, np.array([[0, 1], [2, 3]], np.float32) * third)


def test_rgba_tuple_with_none_channels():
    R = np.array([[0.0, 1.0, 2.0, 3.0]], dtype=np.float32)
    B = np.array([[3.0, 2.0, 1.0, 0.0]], dtype=np.float32)
    out = tile_raster_images((R, None, B, None), (2, 2), (1, 1))
    assert out.shape == (2, 2, 4) and out.dtype == np.uint8
    np.testing.assert_array_equal(out[..., 0], [[0, 85], [170, 255]])
    np.testing.assert_array_equal(out[..., 1], 0)             # missing colour: 0
    np.testing.assert_array_equal(out[..., 2], [[255, 170], [85, 0]])
    np.testing.assert_array_equal(out[..., 3], 255)           # missing alpha: opaque


def test_rgba_tuple_float_output_alpha_is_one():
    R = np.array([[0.0, 1.0, 2.0, 3.0]], dtype=np.float32)
    out = tile_raster_images((R, None, None, None), (2, 2), (1, 2), (0, 1),
                             output_pixel_vals=False)
    assert out.shape == (2, 5, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out[..., 3], 1.0)
    np.testing.assert_array_equal(out[..., 1:3], 0.0)
    np.testing.assert_array_equal(out[:, 2:, 0], 0.0)         # gap and empty tile


def _tutorial_pixel(values, dtype):
    """One tile by the tutorial's definition, a scalar at a time in ``dtype``."""
    v = [dtype(x) for x in values]
    lo = min(v)
    v = [x - lo for x in v]
    r = dtype(1.0) / (max(v) + dtype(1e-8))
    return [int(x * r * dtype(255)) for x in v]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_tiles_match_the_definition_pixel_for_pixel(dtype):
    X = np.random.RandomState(1).randn(12, 15).astype(dtype)
    out = tile_raster_images(X, (3, 5), (3, 4), (1, 1))
    for i, row in enumerate(X):
        r, c = divmod(i, 4)
        expected = np.array(_tutorial_pixel(row, dtype)).reshape(3, 5)
        np.testing.assert_array_equal(out[4 * r:4 * r + 3, 6 * c:6 * c + 5], expected)


def test_tile_shape_none_holds_every_row():
    assert tile_raster_images(np.ones((10, 4)), (2, 2)).shape == (3 * 2, 4 * 2)


def test_integer_input_is_scaled_as_float64():
    out = tile_raster_images(np.array([[0, 1, 2, 3]]), (2, 2), (1, 1))
    np.testing.assert_array_equal(out, [[0, 84], [169, 254]])


def test_scale_to_unit_interval_is_float_preserving():
    x = np.array([2.0, 3.0, 4.0], dtype=np.float32)
    y = scale_to_unit_interval(x)
    assert y.dtype == np.float32 and x[0] == 2.0      # a copy
    np.testing.assert_array_equal(y, [0.0, 0.5, 1.0])
    assert scale_to_unit_interval(np.array([0.0, 1.0]))[1] == 1.0 / (1.0 + 1e-8)


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=np.ones((2, 5)), img_shape=(2, 2)), "needs 4"),
    (dict(X=np.ones(4), img_shape=(2, 2)), "2-D"),
    (dict(X=np.ones((2, 4)), img_shape=(2,)), "img_shape"),
    (dict(X=np.ones((2, 4)), img_shape=(2, 2), tile_shape=(0, 2)), "tile_shape"),
    (dict(X=np.ones((2, 4)), img_shape=(2, 2), tile_spacing=(-1, 0)), "tile_spacing"),
    (dict(X=(np.ones((2, 4)), None, None), img_shape=(2, 2)), "4 channels"),
    (dict(X=(None, None, None, None), img_shape=(2, 2)), "tile_shape is needed"),
])
def test_bad_arguments_raise_value_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        tile_raster_images(**kwargs)


def test_non_numeric_input_raises_type_error():
    with pytest.raises(TypeError, match="real numbers"):
        tile_raster_images(np.ones((1, 4), dtype=complex), (2, 2))


# --- plotting helpers ----------------------------------------------------------------


def test_plot_filters_draws_the_tiled_image_into_the_given_axes(tmp_path):
    W = np.random.RandomState(0).randn(20, 64)
    fig, (left, right) = plt.subplots(1, 2)
    ax = plot_filters(W, (8, 8), (4, 5), ax=right, title="filters")
    assert ax is right and ax.get_title() == "filters" and not left.images
    np.testing.assert_array_equal(ax.images[0].get_array(),
                                  tile_raster_images(W, (8, 8), (4, 5), (1, 1)))
    fig.savefig(tmp_path / "filters.png")
    assert (tmp_path / "filters.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_filters_takes_an_estimator_and_conv_kernels():
    est = types.SimpleNamespace(components_=np.random.RandomState(0).rand(9, 16))
    ax = plot_filters(est)                       # square 4x4 images, 3x3 grid
    assert ax.images[0].get_array().shape == (3 * 5 - 1, 3 * 5 - 1)
    kernels = np.random.RandomState(0).rand(6, 2, 3, 3)   # (out, in, H, W)
    ax = plot_filters(kernels, tile_shape=(3, 4))
    assert ax.images[0].get_array().shape == (3 * 4 - 1, 4 * 4 - 1)
    with pytest.raises(ValueError, match="img_shape"):
        plot_filters(np.ones((3, 10)))


def test_plot_samples_lays_out_steps_by_chains_unscaled():
    samples = np.random.RandomState(0).rand(2, 5, 16)
    ax = plot_samples(samples, (4, 4))
    image = ax.images[0].get_array()
    assert image.shape == (2 * 5 - 1, 5 * 5 - 1)
    # unscaled: pixel = trunc(255 * p); chain 3 of step 1 sits in tile (1, 3)
    np.testing.assert_array_equal(image[5:9, 15:19],
                                  (samples[1, 3].reshape(4, 4) * 255).astype(np.uint8))


def test_plot_piano_roll_puts_notes_at_their_pitch():
    roll = np.zeros((16, 88))
    roll[:8, 39] = 1   # MIDI 60 for the first half
    fig, ax = plt.subplots()
    assert plot_piano_roll(roll, ax=ax, title="middle C") is ax
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), roll.T)
    assert image.get_extent() == [0, 16, 20.5, 108.5] and ax.get_ylabel() == "MIDI note"
    with pytest.raises(ValueError, match="2-D"):
        plot_piano_roll(np.zeros(5))


def test_plot_learning_curve_draws_loss_and_validation():
    from sklearn.datasets import load_digits

    from skdeep import LogisticClassifier

    X, y = load_digits(return_X_y=True)
    clf = LogisticClassifier(max_iter=4, early_stopping=True, n_iter_no_change=10,
                             random_state=0).fit(X[:400] / 16, y[:400])
    fig, ax = plt.subplots()
    assert plot_learning_curve(clf, ax=ax) is ax
    np.testing.assert_allclose(ax.lines[0].get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(1, clf.n_iter_ + 1))
    np.testing.assert_allclose(ax.right_ax.lines[0].get_ydata(), clf.validation_scores_)
    best = int(np.argmax(clf.validation_scores_))
    assert ax.right_ax.lines[1].get_xdata()[0] == best + 1
    assert ax.get_title() == "LogisticClassifier" and ax.get_xlabel() == "epoch"


def test_plot_learning_curve_pipeline_and_sklearn_mlp():
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler

    rng = np.random.RandomState(0)
    X, y = rng.rand(60, 3), np.arange(60) % 2
    pipe = make_pipeline(MinMaxScaler(), MLPClassifier((4,), max_iter=5, random_state=0))
    with pytest.warns(Warning):
        pipe.fit(X, y)
    ax = plot_learning_curve(pipe)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), pipe[-1].loss_curve_)
    assert not hasattr(ax, "right_ax")           # no validation without early stopping


class _Stack(BaseEstimator):
    def fit(self, X=None, y=None):
        self.pretrain_loss_curves_ = [[3.0, 2.0, 1.5], [5.0, 4.0]]
        return self


def test_plot_learning_curve_pretraining_stage_and_errors():
    ax = plot_learning_curve(_Stack().fit(), title="stack")
    assert [line.get_label() for line in ax.lines] == ["layer 1", "layer 2"]
    np.testing.assert_array_equal(ax.lines[1].get_ydata(), [5.0, 4.0])
    with pytest.raises(TypeError, match="loss_curve_"):
        plot_learning_curve(_Stack().fit(), stage="train")
    with pytest.raises(NotFittedError):
        plot_learning_curve(_Stack())
    with pytest.raises(ValueError, match="stage"):
        plot_learning_curve(_Stack().fit(), stage="finetune")
