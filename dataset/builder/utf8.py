"""Code points and bytes of a batch's texts, held as one Arrow string array.

Offsets count code points, Arrow stores UTF-8 bytes. Cutting span and line texts from the
bytes needs the byte position of a code point index and the other way round; both follow
from the positions of the continuation bytes (0b10xxxxxx), which are few in news text, so
the conversion never builds an array as long as the text.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


class Utf8Batch:
    """The UTF-8 bytes of a string array without nulls, and code point <-> byte positions
    counted from the start of its first string."""

    def __init__(self, texts: pa.StringArray) -> None:
        offsets = np.frombuffer(texts.buffers()[1], dtype=np.int32)
        self.starts = offsets[texts.offset : texts.offset + len(texts) + 1].astype(np.int64)
        data = texts.buffers()[2]
        buffer = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
        self.data = buffer[self.starts[0] : self.starts[-1]]
        self.starts -= self.starts[0]
        #: Positions of the continuation bytes (below -64 as signed bytes).
        self.continuation = np.flatnonzero(self.data.view(np.int8) < -64)
        #: For each continuation byte, the index of the code point it belongs to.
        self.continued = self.continuation - np.arange(1, len(self.continuation) + 1)

    def byte_of(self, code_points: np.ndarray) -> np.ndarray:
        """Byte positions of code point indices (an index one past the last code point
        gives the length in bytes)."""
        return code_points + np.searchsorted(self.continued, code_points, side="left")

    def code_point_of(self, positions: np.ndarray) -> np.ndarray:
        """Code point indices of byte positions that start a code point."""
        return positions - np.searchsorted(self.continuation, positions, side="left")

    def substrings(self, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
        """``data[starts[i]:ends[i]]`` for every i, as a string array (copied)."""
        lengths = ends - starts
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        gather = np.arange(offsets[-1], dtype=np.int64) + np.repeat(starts - offsets[:-1], lengths)
        return pa.LargeStringArray.from_buffers(
            len(lengths), pa.py_buffer(offsets), pa.py_buffer(self.data[gather])
        ).cast(pa.string())

    def tiles(self, bounds: np.ndarray) -> pa.Array:
        """The strings between consecutive byte positions ``bounds`` (from 0 to the end),
        sharing this batch's bytes."""
        return pa.StringArray.from_buffers(
            len(bounds) - 1, pa.py_buffer(bounds.astype(np.int32)), pa.py_buffer(self.data)
        )
