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
        #: Chunks read, and how many had been when objects were last parsed at once.
        self._chunks = 0
        self._tried = -1
        self.text = ""
        self.at = 0

    def _more(self) -> bool:
        """Read the next chunk, keeping what is not parsed yet; False at the end."""
        if self._ended:
            return False
        chunk = self._stream.read(CHUNK)
        self._ended = not chunk
        self._chunks += 1
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
            count += self._objects_at_once()
            self.value()
            count += 1
            if self.peek() == "]":
                self.at += 1
                return count
            self.take(",")

    def _objects_at_once(self) -> int:
        """Parse in one call the elements the text read so far holds up to its last ``},``
        (once per chunk read): a value at a time, two million records took 20 s. Only a
        run of whole JSON values parses as the items of an array, so a ``},`` inside a
        string or a nested object makes the call fail and the elements are taken one by
        one."""
        if self._tried == self._chunks:
            return 0
        self._tried = self._chunks
        cut = self.text.rfind("},", self.at)
        if cut < self.at:
            return 0
        run = "[" + self.text[self.at : cut + 1] + "]"
        try:
            items, end = self._json.raw_decode(run)
        except json.JSONDecodeError:
            return 0
        if end != len(run):
            return 0
        self.at = cut + 2
        return len(items)


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
