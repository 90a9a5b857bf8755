"""PNG files from a drawing's pixels, packed quickly.

Pillow chooses one of PNG's five filters for every row, trying each: for a chart that
takes twice as long as packing the rows. A chart's pixels are runs of a few flat colours,
which pack as small without a filter, so every row here is left as it is and the rows are
packed at zlib's fastest level.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG's colour types, by the number of channels: RGB, RGB with alpha.
_COLOUR_TYPES = {3: 2, 4: 6}


def encode(pixels: npt.NDArray[np.uint8], dpi: int) -> bytes:
    """``pixels`` (height × width × 3 for RGB, × 4 for RGB with alpha) as a PNG file whose
    resolution is ``dpi``."""
    height, width, channels = pixels.shape
    stride = width * channels + 1
    rows = np.zeros(height * stride, np.uint8)  # each row's first byte, its filter: none
    # The pixels after each row's first byte, as one view, filled in one pass; also where
    # ``pixels`` is itself a view with gaps (a cropped drawing, or one without its alpha).
    np.ndarray((height, width, channels), np.uint8, buffer=rows, offset=1,
               strides=(stride, channels, 1))[...] = pixels
    per_metre = round(dpi / 0.0254)
    return b"".join([
        SIGNATURE,
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels],
                                    0, 0, 0)),
        _chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
        _chunk(b"IDAT", zlib.compress(rows.data, 1)),
        _chunk(b"IEND", b""),
    ])


def write(path: Path, pixels: npt.NDArray[np.uint8], dpi: int) -> None:
    """Write ``pixels`` to ``path`` as PNG (see :func:`encode`)."""
    path.write_bytes(encode(pixels, dpi))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + \
        struct.pack(">I", zlib.crc32(kind + data))
