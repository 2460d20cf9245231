"""Indonesian number words ("terbilang") and rupiah amounts, as printed on an SKRD.

An SKRD must state the amount in words as well as in figures (a payment order is read aloud at
the bank counter and a figure alone is too easy to alter), so this lives with the documents.
"""

from __future__ import annotations

_UNITS = (
    "nol",
    "satu",
    "dua",
    "tiga",
    "empat",
    "lima",
    "enam",
    "tujuh",
    "delapan",
    "sembilan",
    "sepuluh",
    "sebelas",
)

#: Scale words from the largest down; Indonesian says "seribu" but "satu juta".
_SCALES = (
    (10**12, "triliun"),
    (10**9, "miliar"),
    (10**6, "juta"),
    (10**3, "ribu"),
)


def _below_thousand(n: int) -> str:
    """Words for 1..999 (``n`` > 0), with the "se-" forms Indonesian uses for one."""
    parts: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        parts.append("seratus")
    elif hundreds > 1:
        parts.append(f"{_UNITS[hundreds]} ratus")
    if rest:
        if rest < 12:
            parts.append(_UNITS[rest])
        elif rest < 20:
            parts.append(f"{_UNITS[rest - 10]} belas")
        else:
            tens, ones = divmod(rest, 10)
            parts.append(f"{_UNITS[tens]} puluh")
            if ones:
                parts.append(_UNITS[ones])
    return " ".join(parts)


def terbilang(n: int) -> str:
    """Spell a whole number in Indonesian: ``terbilang(150000) == "seratus lima puluh ribu"``.

    Lower case, no trailing "rupiah": the caller decides the case and the currency word.
    Negative numbers are prefixed with "minus"; numbers up to 999 triliun are supported.
    """
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError("terbilang() hanya menerima bilangan bulat")
    if n == 0:
        return _UNITS[0]
    if n < 0:
        return "minus " + terbilang(-n)
    if n >= 10**15:
        raise ValueError("bilangan terlalu besar untuk dieja (batas 999 triliun)")
    parts: list[str] = []
    rest = n
    for scale, word in _SCALES:
        count, rest = divmod(rest, scale)
        if not count:
            continue
        if count == 1 and scale == 1000:
            parts.append("seribu")
        else:
            parts.append(f"{_below_thousand(count)} {word}")
    if rest:
        parts.append(_below_thousand(rest))
    return " ".join(parts)


def rupiah_words(amount: int) -> str:
    """The amount in words as an SKRD prints it: "Seratus lima puluh ribu rupiah"."""
    words = terbilang(amount) + " rupiah"
    return words[0].upper() + words[1:]


def format_rupiah(amount: int) -> str:
    """Figures with the Indonesian thousands separator: ``format_rupiah(150000) == "Rp 150.000"``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")
