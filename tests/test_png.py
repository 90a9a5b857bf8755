import io

import numpy as np
from docx.image.image import Image as DocxImage
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from vbgen.writers import png


def _pixels(channels: int) -> st.SearchStrategy[np.ndarray]:
    shapes = st.tuples(st.integers(1, 40), st.integers(1, 40), st.just(channels))
    return arrays(np.uint8, shapes)


@settings(max_examples=60, deadline=None)
@given(st.one_of(_pixels(3), _pixels(4)))
def test_pillow_reads_back_every_pixel(pixels):
    read = Image.open(io.BytesIO(png.encode(pixels, 200)))
    assert read.mode == ("RGB" if pixels.shape[2] == 3 else "RGBA")
    assert np.array_equal(np.asarray(read), pixels)


@settings(max_examples=30, deadline=None)
@given(_pixels(4))
def test_colour_without_alpha_from_a_view(pixels):
    # A drawing's pixels come with alpha; where all are opaque, only the colour is written.
    read = Image.open(io.BytesIO(png.encode(pixels[:, :, :3], 150)))
    assert read.mode == "RGB"
    assert np.array_equal(np.asarray(read), pixels[:, :, :3])


def test_resolution_as_word_files_read_it():
    data = png.encode(np.zeros((700, 1260, 3), np.uint8), 200)
    assert [round(v) for v in Image.open(io.BytesIO(data)).info["dpi"]] == [200, 200]
    image = DocxImage.from_blob(data)
    assert (image.px_width, image.px_height, image.horz_dpi, image.vert_dpi) == \
        (1260, 700, 200, 200)
    assert round(image.width.cm, 1) == 16.0


def test_flat_colours_pack_small():
    pixels = np.full((500, 1200, 3), 255, np.uint8)
    pixels[100:400, 200:260] = (0, 86, 107)
    assert len(png.encode(pixels, 200)) < 20_000  # of 1,8 MB
