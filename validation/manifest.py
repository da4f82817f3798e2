"""A build manifest's ``tables``, read in bounded memory.

A manifest lists every input file (two records per article: 460 MB of JSON at a million
articles, which ``json.loads`` turns into 1.6 GiB of objects), and the validator needs only
its ``tables``. The document is read in chunks and parsed value by value with the json
module's own decoder; each record of ``inputs`` is parsed (a broken one still makes the
manifest unreadable) and dropped.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any, Protocol

#: Characters read at a time.
CHUNK = 1 << 22
_SPACE = re.compile(r"[ \t\n\r]*")


class Stream(Protocol):
    def read(self, nbytes: int) -> bytes: ...


class _Reader:
    """A JSON text read from ``stream`` as far as it is parsed."""

    def __init__(self, stream: Stream) -> None:
        self._stream = stream
        self._decode = codecs.getincrementaldecoder("utf-8")(errors="replace").decode
        self._json = json.JSONDecoder()
        self._ended = False
        self.text = ""
        self.at = 0

    def _more(self) -> bool:
        """Read the next chunk, keeping what is not parsed yet; False at the end."""
        if self._ended:
            return False
        chunk = self._stream.read(CHUNK)
        self._ended = not chunk
        self.text = self.text[self.at :] + self._decode(chunk, final=self._ended)
        self.at = 0
        return True

    def peek(self) -> str:
        """The next character after white space ('' at the end of the text)."""
        while True:
            space = _SPACE.match(self.text, self.at)
            self.at = space.end() if space else self.at
            if self.at < len(self.text) or not self._more():
                return self.text[self.at : self.at + 1]

    def take(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise ValueError(f"expected {char!r}, found {found or 'the end'!r}")
        self.at += 1

    def value(self) -> Any:
        """The next JSON value, read on until the text holds all of it."""
        self.peek()
        while True:
            try:
                value, end = self._json.raw_decode(self.text, self.at)
            except json.JSONDecodeError:
                if self._more():
                    continue
                raise
            # A number at the end of what was read may go on in the next chunk.
            if end < len(self.text) or not self._more():
                self.at = end
                return value

    def skip_array(self) -> int:
        """Parse the array that comes next, keeping none of it; its length."""
        self.take("[")
        if self.peek() == "]":
            self.at += 1
            return 0
        count = 0
        while True:
            self.value()
            count += 1
            if self.peek() == "]":
                self.at += 1
                return count
            self.take(",")


def manifest_tables(stream: Stream) -> Any:
    """The ``tables`` of the JSON object ``stream`` holds (None when it has none), the
    ``inputs`` array parsed but not kept; ValueError when the text is not a JSON object."""
    reader = _Reader(stream)
    reader.take("{")
    tables = None
    if reader.peek() == "}":
        reader.at += 1
    else:
        while True:
            key = reader.value()
            if not isinstance(key, str):
                raise ValueError("an object key that is not a string")
            reader.take(":")
            if key == "inputs" and reader.peek() == "[":
                reader.skip_array()
            else:
                value = reader.value()
                tables = value if key == "tables" else tables
            if reader.peek() == "}":
                reader.at += 1
                break
            reader.take(",")
    if reader.peek():
        raise ValueError("more text after the manifest's object")
    return tables
