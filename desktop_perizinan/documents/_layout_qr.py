"""The QR code at the foot of final documents and receipts: encoded once per payload, drawn as one path.

The mask is fixed (:data:`QR_MASK`) instead of searched. segno otherwise evaluates all eight
masks (the ISO 18004 penalty rules) for every code, which was three quarters of the cost of
a QR and a sixth of a receipt's render time; any mask is a valid QR code, and every decoder
reads all eight. ``tests/documents/test_qr_decodes.py`` decodes our printed codes with
zbarimg to keep that true.

Every document has a new payload (its number and check code), so the symbol itself is made
here rather than by ``segno.make``: segno still writes the data bit stream (its own
functions), but it places the bits module by module in Python and masks the whole matrix
again for every code, ~1 ms of a ~5 ms document, and its Reed-Solomon division loops over
every error word of every data byte (0.18 ms; :func:`_blocks` does the same division with
the remainder in one integer, 0.02 ms). What depends only on
the version, error level and mask (the function patterns, format and version information,
where each data bit goes and its mask bit) is worked out once per version (:func:`_template`);
a new code is then the bit stream XORed with the mask and scattered by ``itemgetter`` in C.
The symbol is module for module the one ``segno.make(payload, error="m", micro=False,
mask=QR_MASK)`` makes (``tests/documents/test_qr_symbol.py`` compares them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import chain, zip_longest
from operator import itemgetter

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable
from segno import consts
from segno import encoder as _enc

#: Mask pattern 2 (vertical stripes every third column): no search. See the module doc.
QR_MASK = 2
#: Error correction level M, raised by segno's rule (``boost_error``) when the data leaves room.
_ERROR = consts.ERROR_LEVEL_M
#: Bytes 0/1 of a string of "0"/"1".
_DIGITS_TO_BITS = bytes.maketrans(b"01", b"\x00\x01")
_BITS_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")


@dataclass(frozen=True)
class Symbol:
    """A QR symbol: ``matrix`` rows of 0 (light) / 1 (dark) modules, quiet zone excluded."""

    matrix: tuple[bytes, ...]
    version: int
    error: int
    mask: int


@dataclass(frozen=True)
class _Template:
    size: int
    gather: itemgetter  # picks each module from (masked data bits + base modules)
    mask_bits: int  # the mask's bit of every data module, as one integer
    data_modules: int
    base: bytes  # every module row by row, data modules 0


@lru_cache(maxsize=16)
def _template(version: int, error: int, mask: int) -> _Template:
    """What a symbol of ``version``/``error``/``mask`` has whatever its data (module doc):
    built with segno's own functions, data modules visited in segno's placement order."""
    size = _enc.calc_matrix_size(version)
    base = _enc.make_matrix(size, size)
    _enc.add_finder_patterns(base, size, size)
    _enc.add_alignment_patterns(base, size, size)
    # the placement walk of segno.encoder.add_codewords: two-module columns, right to left,
    # alternately upwards and downwards; a data module is one still 0x2
    order: list[tuple[int, int]] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        for vertical in range(size):
            for z in range(2):
                j = right - z
                upwards = ((right & 2) == 0) ^ (j < 6)
                i = (size - 1 - vertical) if upwards else vertical
                if base[i][j] == 0x2:
                    order.append((i, j))
                    base[i][j] = 0
    _enc.add_format_info(base, version, error, mask)
    _enc.add_version_info(base, version)
    fn = _enc.get_data_mask_functions(False)[mask]
    mask_bits = int("".join(str(int(fn(i, j))) for i, j in order), 2)
    count = len(order)
    index = {pos: k for k, pos in enumerate(order)}
    picks = [index.get((i, j), count + i * size + j) for i in range(size) for j in range(size)]
    flat = b"".join(bytes(row) for row in base)
    return _Template(size, itemgetter(*picks), mask_bits, count, flat)


@lru_cache(maxsize=32)
def _ecc_rows(num_error_words: int) -> tuple[int, ...]:
    """For every leading coefficient, what one step of the division by the generator
    polynomial XORs into the remainder, as one integer of ``num_error_words`` bytes."""
    gen = consts.GEN_POLY[num_error_words]
    log, exp = consts.GALIOS_LOG, consts.GALIOS_EXP
    rows = [0]
    for coef in range(1, 256):
        lcoef = log[coef]
        rows.append(int.from_bytes(bytes(exp[lcoef + g] for g in gen), "big"))
    return tuple(rows)


def _blocks(ec_infos: object, data: bytes) -> tuple[list[bytes], list[bytes]]:
    """The data blocks and their error correction blocks, as ``segno.encoder.make_blocks``
    computes them (its synthetic division, one byte at a time, with the remainder held in
    one integer: a shift and a table XOR per data byte instead of a loop over the error
    words). ``tests/documents/test_qr_symbol.py`` compares the two."""
    data_blocks: list[bytes] = []
    error_blocks: list[bytes] = []
    start = 0
    for ec_info in ec_infos:  # type: ignore[attr-defined]
        n = ec_info.num_total - ec_info.num_data
        rows = _ecc_rows(n)
        top = 8 * (n - 1)
        keep = (1 << (8 * n)) - 1
        for _ in range(ec_info.num_blocks):
            block = data[start : start + ec_info.num_data]
            start += ec_info.num_data
            rem = 0
            for d in block:
                rem = ((rem << 8) & keep) ^ rows[(rem >> top) ^ d]
            data_blocks.append(block)
            error_blocks.append(rem.to_bytes(n, "big"))
    return data_blocks, error_blocks


def _data_codewords(payload: str) -> tuple[bytes, int, int]:
    """segno's data bit stream of ``payload`` as codewords, with its version and error level
    (the steps of ``segno.encoder.encode``/``_encode`` for one QR code, no ECI)."""
    segments = _enc.prepare_data(payload, None, None)
    version = _enc.find_version(segments, _ERROR, eci=False, micro=False)
    error = _enc.boost_error_level(version, _ERROR, segments, False)
    buff = _enc.Buffer()
    ver_range = _enc.version_range(version)
    for segment in segments:
        _enc.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][error]
    _enc.write_terminator(buff, capacity, None, len(buff))
    _enc.write_padding_bits(buff, version, len(buff))
    _enc.write_pad_codewords(buff, version, capacity, len(buff))
    bits = buff.getbits()
    digits = bytes(bits).translate(_BITS_TO_DIGITS)
    data = int(digits, 2).to_bytes(len(bits) // 8, "big")
    return data, version, error


@lru_cache(maxsize=64)
def encode(payload: str) -> Symbol:
    """The QR symbol of ``payload`` (error level M, fixed mask), cached for re-renders."""
    data, version, error = _data_codewords(payload)
    data_blocks, error_blocks = _blocks(consts.ECC[version][error], data)
    final = bytes(
        x
        for x in chain(
            chain.from_iterable(zip_longest(*data_blocks)),
            chain.from_iterable(zip_longest(*error_blocks)),
        )
        if x is not None
    )
    t = _template(version, error, QR_MASK)
    # the remainder bits after the last codeword are 0, as segno writes them
    stream = int.from_bytes(final, "big") << (t.data_modules - 8 * len(final))
    digits = format(stream ^ t.mask_bits, f"0{t.data_modules}b")
    modules = bytes(t.gather(digits.encode().translate(_DIGITS_TO_BITS) + t.base))
    size = t.size
    matrix = tuple(modules[r * size : (r + 1) * size] for r in range(size))
    return Symbol(matrix, version, error, QR_MASK)


class QrCode(Flowable):
    """A QR code drawn as one filled path.

    One path of merged horizontal runs is about three times faster than reportlab's own QR
    widget (which draws every module as a separate rectangle) and decodes the same.
    """

    def __init__(self, payload: str, size: float, border: int = 2) -> None:
        super().__init__()
        self.payload = payload
        self.size = size
        self.border = border
        self.qr = encode(payload)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.qr, 0, 0, self.size, self.border)


@lru_cache(maxsize=64)
def _runs(qr: Symbol) -> str:
    """The PDF operators of ``qr``'s dark runs, one module per unit (see :func:`draw_qr`)."""
    ops: list[str] = []
    append = ops.append
    for r, row in enumerate(qr.matrix):
        at_row = f" {r} "
        x = 0
        # the row cut at its light modules: each non-empty piece is a dark run, in order
        for run in row.split(b"\x00"):
            n = len(run)
            if n:
                # 1.02 high: neighbouring rows overlap a hair, so viewers show no seams
                append(f"{x}{at_row}{n} 1.02 re")
                x += n + 1
            else:
                x += 1
    append("f")
    return "\n".join(ops)


def draw_qr(c: Canvas, qr: Symbol, x: float, y: float, size: float, border: int = 2) -> None:
    """Draw ``qr`` in a ``size`` square at (x, y) (bottom-left), quiet zone included.

    The modules are written as literal PDF operators in a coordinate system of one unit per
    module: one ``re`` per horizontal run of dark modules, all filled at once. Integer
    coordinates need no float formatting, which was most of the cost of drawing the path.
    """
    count = len(qr.matrix)
    module = size / (count + 2 * border)
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    # origin at the top-left dark area, y pointing down one module per row
    c.transform(module, 0, 0, -module, x + border * module, y + size - border * module)
    c.addLiteral(_runs(qr))
    c.restoreState()
