"""Content-Encoding decoding under a size cap: gzip, deflate, brotli and zstd, never producing more
than a bounded piece per step, so a compression bomb costs no more memory than the body cap."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator

from tracker.errors import FetchError

try:  # optional: only advertised when installed and able to decode under a size limit
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None
else:
    if not hasattr(brotli.Decompressor(), "can_accept_more_data"):  # brotli < 1.2 cannot cap output
        brotli = None
try:
    import zstandard
except ImportError:  # pragma: no cover - depends on the environment
    zstandard = None


_PIECE = 64 * 1024  # most decoded bytes produced per step, whatever the compression ratio


def _inflate(chunks: Iterable[bytes], wbits: int | None) -> Iterator[bytes]:
    """zlib/gzip/raw deflate, never producing more than _PIECE bytes per step.

    wbits None means "deflate": zlib-wrapped by the spec, raw in practice from some servers.
    """
    decoder = None
    for chunk in chunks:
        data = chunk
        while data:
            if decoder is None:
                decoder = zlib.decompressobj(_deflate_wbits(data) if wbits is None else wbits)
            out = decoder.decompress(data, _PIECE)
            data = decoder.unconsumed_tail
            if decoder.eof:
                data = data or decoder.unused_data  # another gzip member follows
                decoder = None
            if out:
                yield out
    if decoder is not None:
        tail = decoder.flush()
        if tail:
            yield tail


def _deflate_wbits(first: bytes) -> int:
    if len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0:
        return zlib.MAX_WBITS
    return -zlib.MAX_WBITS


def _unbrotli(chunks: Iterable[bytes]) -> Iterator[bytes]:
    # A piece at a time, so a bomb stops at the size cap. `can_accept_more_data()` says yes while
    # output is still pending (brotli 1.2), which cut a 864,000-byte page at 98,272 bytes: a
    # full piece means there may be more, and the decoder is drained once the input ends.
    decoder = brotli.Decompressor()
    for chunk in chunks:
        out = decoder.process(chunk, output_buffer_limit=_PIECE)
        while out:
            yield out
            if len(out) < _PIECE and decoder.can_accept_more_data():
                break
            out = decoder.process(b"", output_buffer_limit=_PIECE)
    while not decoder.is_finished():
        out = decoder.process(b"", output_buffer_limit=_PIECE)
        if not out:
            break
        yield out


class _ChunkReader:
    """A file-like view of an iterator of chunks, for zstandard's pull-based reader."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return b""
        if size is None or size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _unzstd(chunks: Iterable[bytes]) -> Iterator[bytes]:
    reader = zstandard.ZstdDecompressor().stream_reader(_ChunkReader(chunks), read_across_frames=True)
    while piece := reader.read(_PIECE):
        yield piece


_DECODERS: dict[str, Callable[[Iterable[bytes]], Iterator[bytes]]] = {
    "gzip": lambda chunks: _inflate(chunks, 16 + zlib.MAX_WBITS),
    "x-gzip": lambda chunks: _inflate(chunks, 16 + zlib.MAX_WBITS),
    "deflate": lambda chunks: _inflate(chunks, None),
}
DECODE_ERRORS: tuple[type[Exception], ...] = (zlib.error,)
if brotli is not None:
    _DECODERS["br"] = _unbrotli
    DECODE_ERRORS += (brotli.error,)
if zstandard is not None:
    _DECODERS["zstd"] = _unzstd
    DECODE_ERRORS += (zstandard.ZstdError,)
ACCEPT_ENCODING = ", ".join(name for name in _DECODERS if name != "x-gzip")


def decode_body(chunks: Iterable[bytes], content_encoding: str | None) -> Iterator[bytes]:
    names = [n.strip().lower() for n in (content_encoding or "").split(",")]
    names = [n for n in names if n and n != "identity"]
    for name in reversed(names):  # the server applied them left to right
        if name not in _DECODERS:
            message = f"unsupported Content-Encoding {name!r} (supported: {ACCEPT_ENCODING})"
            raise FetchError("protocol", message)
        chunks = _DECODERS[name](chunks)
    return iter(chunks)
