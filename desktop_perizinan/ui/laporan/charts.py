"""A small clustered bar chart drawn with QPainter.

Why not QtCharts: it ships in PySide6-Addons, 153 MB more in every installer, for a handful of
bar charts. Bars, an axis with round ticks, value labels, a legend and a tooltip are a page of
QPainter. Colours come from the palette (text, grid) and from a short series list that has a
light and a dark variant, so the chart reads on both colour schemes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_perizinan.ui.theme import is_dark

#: Series colours (light scheme, dark scheme): blue, orange, grey, green, red, purple.
SERIES_COLOURS = (
    ("#2f5f9e", "#7fb0ff"),
    ("#e08a1e", "#ffb95e"),
    ("#7f7f7f", "#bdbdbd"),
    ("#2e7d43", "#8fd694"),
    ("#b3261e", "#ff8a80"),
    ("#6f4fa0", "#c3a6ff"),
)

EMPTY_TEXT = "Belum ada data untuk periode ini."


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]


def series_colour(index: int, palette: QPalette) -> QColor:
    light, dark = SERIES_COLOURS[index % len(SERIES_COLOURS)]
    return QColor(dark if is_dark(palette) else light)


def nice_scale(peak: float, *, integer: bool) -> tuple[float, float]:
    """``(top, step)`` of a value axis with about four round steps (1, 2, 2.5, 5 × 10^n) that
    reaches ``peak``; counts get whole-number steps (no "1,2 permohonan" on the axis)."""
    if peak <= 0:
        return (4.0, 1.0) if integer else (1.0, 0.25)
    raw = peak / 4
    base = 10 ** math.floor(math.log10(raw))
    step = 10 * base
    for multiple in (1, 2, 2.5, 5, 10):
        candidate = multiple * base
        if integer and (candidate < 1 or not float(candidate).is_integer()):
            continue
        if candidate >= raw - 1e-9:
            step = candidate
            break
    top = math.ceil(peak / step - 1e-9) * step
    return float(top), float(step)


def default_format(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    return f"{value:.1f}".replace(".", ",")


class BarChart(QWidget):
    """Clustered bars for ``categories`` × ``series``; horizontal for long category names."""

    def __init__(
        self,
        title: str = "",
        *,
        horizontal: bool = False,
        percent: bool = False,
        value_format: Callable[[float], str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.title = title
        self.horizontal = horizontal
        self.percent = percent
        self.value_format = value_format or (
            (lambda v: f"{v * 100:.0f}%") if percent else default_format
        )
        self.categories: tuple[str, ...] = ()
        self.series: tuple[Series, ...] = ()
        self._bars: list[tuple[QRectF, str]] = []  # hit areas for tooltips
        self._step = 1.0
        self.category_tips: tuple[str, ...] = ()
        #: Drawn when there is nothing to chart (Laporan: "Menghitung…" while it computes).
        self.empty_text = EMPTY_TEXT
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(180)

    # ---------------------------------------------------------------- data

    def set_data(
        self,
        categories: Sequence[str],
        series: Sequence[Series],
        *,
        category_tips: Sequence[str] = (),
    ) -> None:
        """``category_tips``: a longer name per category for the tooltip (the label may be
        elided on screen)."""
        for s in series:
            if len(s.values) != len(categories):
                raise ValueError(f"series {s.name!r} has {len(s.values)} values")
        self.categories = tuple(categories)
        self.category_tips = tuple(category_tips) if category_tips else self.categories
        self.series = tuple(series)
        self.updateGeometry()
        self.update()

    def is_empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)

    def sizeHint(self) -> QSize:
        line = self.fontMetrics().height()
        if self.horizontal:
            per_category = line * (0.9 + 0.8 * max(1, len(self.series)))
            return QSize(520, int(90 + per_category * max(1, len(self.categories))))
        return QSize(520, 300)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 180)

    # ---------------------------------------------------------------- drawing

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = palette.color(QPalette.ColorRole.Mid)
        grid.setAlpha(110)
        self._bars = []
        metrics = self.fontMetrics()
        line = metrics.height()
        area = QRectF(self.rect()).adjusted(8, 6, -8, -6)

        if self.title:
            title_font = QFont(self.font())
            title_font.setBold(True)
            painter.setFont(title_font)
            painter.setPen(text)
            title_rect = QRectF(area.left(), area.top(), area.width(), line + 4)
            elided = QFontMetrics(title_font).elidedText(
                self.title, Qt.TextElideMode.ElideRight, int(area.width())
            )
            painter.drawText(title_rect, int(Qt.AlignmentFlag.AlignLeft), elided)
            painter.setFont(self.font())
            area.setTop(area.top() + line + 8)

        if self.is_empty():
            muted = palette.color(QPalette.ColorRole.PlaceholderText)
            painter.setPen(muted)
            painter.drawText(area, int(Qt.AlignmentFlag.AlignCenter), self.empty_text)
            painter.end()
            return

        if len(self.series) > 1:
            area.setBottom(area.bottom() - self._draw_legend(painter, area, metrics, text))

        values = [v for s in self.series for v in s.values]
        if self.percent:
            top, step = 1.0, 0.25
        else:
            top, step = nice_scale(max(values), integer=all(float(v).is_integer() for v in values))
        self._step = step
        if self.horizontal:
            self._draw_horizontal(painter, area, metrics, text, grid, top)
        else:
            self._draw_vertical(painter, area, metrics, text, grid, top)
        painter.end()

    def _draw_legend(
        self, painter: QPainter, area: QRectF, metrics: QFontMetrics, text: QColor
    ) -> float:
        line = metrics.height()
        x = area.left()
        y = area.bottom() - line
        for index, s in enumerate(self.series):
            painter.fillRect(QRectF(x, y + 3, 12, line - 6), series_colour(index, self.palette()))
            painter.setPen(text)
            painter.drawText(QPointF(x + 17, y + metrics.ascent()), s.name)
            x += 17 + metrics.horizontalAdvance(s.name) + 18
        return line + 8

    def _ticks(self, top: float) -> list[float]:
        count = round(top / self._step)
        return [self._step * i for i in range(count + 1)]

    def _draw_vertical(
        self,
        painter: QPainter,
        area: QRectF,
        metrics: QFontMetrics,
        text: QColor,
        grid: QColor,
        top: float,
    ) -> None:
        line = metrics.height()
        ticks = self._ticks(top)
        axis_width = max(metrics.horizontalAdvance(self.value_format(t)) for t in ticks) + 8
        plot = QRectF(area.left() + axis_width, area.top() + line, area.width() - axis_width,
                      area.height() - line * 2 - 6)  # fmt: skip
        for tick in ticks:
            y = plot.bottom() - plot.height() * tick / top
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            label = self.value_format(tick)
            painter.drawText(
                QRectF(area.left(), y - line / 2, axis_width - 6, line),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        small = QFont(self.font())
        small.setPointSizeF(max(6.0, self.font().pointSizeF() * 0.85))
        small_metrics = QFontMetrics(small)
        n = len(self.categories)
        group = plot.width() / n
        inner = group * 0.86
        bar = inner / len(self.series)
        for ci, category in enumerate(self.categories):
            gx = plot.left() + ci * group + (group - inner) / 2
            for si, s in enumerate(self.series):
                value = s.values[ci]
                height = plot.height() * min(value, top) / top
                rect = QRectF(gx + si * bar, plot.bottom() - height, bar * 0.94, height)
                painter.fillRect(rect, series_colour(si, self.palette()))
                self._bars.append(
                    (rect, f"{self.category_tips[ci]} — {s.name}: {self.value_format(value)}")
                )
                label_text = self.value_format(value)
                if value and bar * 0.94 >= small_metrics.horizontalAdvance(label_text):
                    painter.setPen(text)
                    painter.setFont(small)
                    painter.drawText(
                        QRectF(rect.left() - 10, rect.top() - line, rect.width() + 20, line),
                        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                        label_text,
                    )
                    painter.setFont(self.font())
            painter.setPen(text)
            label = metrics.elidedText(category, Qt.TextElideMode.ElideRight, int(group - 2))
            painter.drawText(
                QRectF(plot.left() + ci * group, plot.bottom() + 4, group, line),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                label,
            )
        painter.setPen(text)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())

    def _draw_horizontal(
        self,
        painter: QPainter,
        area: QRectF,
        metrics: QFontMetrics,
        text: QColor,
        grid: QColor,
        top: float,
    ) -> None:
        line = metrics.height()
        label_width = min(
            max(metrics.horizontalAdvance(c) for c in self.categories) + 10, area.width() * 0.42
        )
        value_room = metrics.horizontalAdvance(self.value_format(top)) + 10
        plot = QRectF(area.left() + label_width, area.top(), area.width() - label_width - value_room,
                      area.height() - line - 6)  # fmt: skip
        for tick in self._ticks(top):
            x = plot.left() + plot.width() * tick / top
            painter.setPen(grid)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(text)
            painter.drawText(
                QRectF(x - 40, plot.bottom() + 3, 80, line),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                self.value_format(tick),
            )
        n = len(self.categories)
        group = plot.height() / n
        inner = group * 0.8
        bar = inner / len(self.series)
        for ci, category in enumerate(self.categories):
            gy = plot.top() + ci * group + (group - inner) / 2
            painter.setPen(text)
            self._draw_category(
                painter,
                metrics,
                category,
                QRectF(area.left(), plot.top() + ci * group, label_width - 8, group),
            )
            for si, s in enumerate(self.series):
                value = s.values[ci]
                width = plot.width() * min(value, top) / top
                rect = QRectF(plot.left(), gy + si * bar, width, bar * 0.9)
                painter.fillRect(rect, series_colour(si, self.palette()))
                self._bars.append(
                    (QRectF(rect.left(), rect.top(), max(rect.width(), 4), rect.height()),
                     f"{self.category_tips[ci]} — {s.name}: {self.value_format(value)}")
                )  # fmt: skip
                if bar >= line * 0.75:
                    painter.setPen(text)
                    painter.drawText(
                        QRectF(rect.right() + 4, rect.top(), value_room, rect.height()),
                        int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                        self.value_format(value),
                    )
        painter.setPen(text)
        painter.drawLine(plot.topLeft(), plot.bottomLeft())

    @staticmethod
    def _draw_category(
        painter: QPainter, metrics: QFontMetrics, category: str, rect: QRectF
    ) -> None:
        """A category name right-aligned beside its bars: on two lines when the bars leave
        room and the name needs it (long SOP step names), elided after that."""
        width = int(rect.width())
        align = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if metrics.horizontalAdvance(category) <= width or rect.height() < metrics.height() * 2:
            label = metrics.elidedText(category, Qt.TextElideMode.ElideRight, width)
            painter.drawText(rect, int(align), label)
            return
        words = category.split()
        first = ""
        for word in words:
            candidate = f"{first} {word}".strip()
            if metrics.horizontalAdvance(candidate) > width and first:
                break
            first = candidate
        rest = category[len(first) :].strip()
        second = metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width)
        first = metrics.elidedText(first, Qt.TextElideMode.ElideRight, width)
        line = metrics.height()
        top = rect.center().y() - line
        painter.drawText(QRectF(rect.left(), top, rect.width(), line), int(align), first)
        painter.drawText(QRectF(rect.left(), top + line, rect.width(), line), int(align), second)

    # ---------------------------------------------------------------- tooltips

    def bar_texts(self) -> list[str]:
        """The tooltip of every bar drawn last time (tests read what the user would hover)."""
        return [tip for _rect, tip in self._bars]

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        for rect, tip in self._bars:
            if rect.contains(point):
                QToolTip.showText(event.globalPosition().toPoint(), tip, self)
                return
        QToolTip.hideText()
        super().mouseMoveEvent(event)
