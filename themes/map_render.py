"""Drawing a thematic map (``themes.map.MapLayout``) as an SVG document and as a PNG picture.

The SVG carries its colours as presentation attributes (``fill``, ``stroke``) and its kinds as classes, never
as ``style`` attributes or a ``<style>`` element: the same markup works as a downloaded file and inline in a
page whose Content Security Policy forbids inline styles. All text is XML-escaped.

The PNG is drawn by Pillow with its built-in font (``ImageFont.load_default(size=…)``, scalable where Pillow
has FreeType), so that nothing is read from disk or fetched. That font has no emoji: an emoji in a name
shows in the SVG, and as a placeholder box in the PNG.
"""

from __future__ import annotations

import io
import re
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

from themes.map import TEXT, LegendItem, MapEdge, MapLayout, MapNode

BACKGROUND = "#ffffff"
MAX_PIXELS = 40_000_000  # a PNG larger than this is drawn at a smaller scale
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text for an element: escaped, and without the characters XML cannot hold (from an imported name)."""
    return escape(_NOT_XML.sub("", text))


def _attrs(**values: object) -> str:
    return "".join(f" {name.rstrip('_').replace('_', '-')}={quoteattr(str(value))}" for name, value in values.items())


def _path(edge: MapEdge) -> str:
    (x, y), rest = edge.points[0], edge.points[1:]
    if edge.curve:
        return f"M{x} {y} C" + " ".join(f"{px} {py}" for px, py in rest)
    return f"M{x} {y} " + " ".join(f"L{px} {py}" for px, py in rest)


def _tooltip(node: MapNode) -> str:
    if node.kind == "code":
        held = "; ".join(node.holders)
        return f"code {node.name} — in {len(node.holders)} themes: {held}" if len(node.holders) > 1 else node.name
    return f"{node.kind} {node.name} ({node.status})"


def _text(x: int, baselines: tuple[int, ...], lines: tuple[str, ...], size: int, bold: bool, cls: str) -> str:
    weight = _attrs(font_weight="bold") if bold else ""
    spans = "".join(
        f"<tspan{_attrs(x=x, y=baseline)}>{_xml(line)}</tspan>" for baseline, line in zip(baselines, lines, strict=True)
    )
    return f"<text{_attrs(class_=cls, font_size=size, fill=TEXT)}{weight}>{spans}</text>"


def _svg_node(node: MapNode, prefix: str) -> str:
    classes = f"map-node map-{node.kind}" + (f" status-{node.status}" if node.status else "")
    if node.kind == "code" and len(node.holders) > 1:
        classes += " map-shared"
    radius = node.height // 2 if node.kind == "code" and len(node.lines) == 1 else 6
    dashed = _attrs(stroke_dasharray="6 4") if node.status == "discarded" else ""
    rect = _attrs(
        x=node.x,
        y=node.y,
        width=node.width,
        height=node.height,
        rx=radius,
        fill=node.fill,
        stroke=node.stroke,
        stroke_width=2 if node.kind == "theme" else 1.5,
    )
    label = _text(node.text_x, node.baselines, node.lines, node.font_size, node.bold, "map-label")
    title = f"<title>{_xml(_tooltip(node))}</title>"
    return f"<g{_attrs(id=f'{prefix}{node.key}', class_=classes)}>{title}<rect{rect}{dashed}/>{label}</g>"


def _svg_legend(item: LegendItem, size: int) -> str:
    x, y, w, h = item.x, item.y, item.width, item.height
    if item.kind == "edge":
        mark = f"<path{_attrs(d=f'M{x} {y + h} C{x + w // 2} {y + h} {x + w // 2} {y} {x + w} {y}')}"
        mark += f"{_attrs(fill='none', stroke=item.stroke, stroke_width=1.5)}/>"
    else:
        radius = h // 2 if item.kind == "code" else 4
        dashed = _attrs(stroke_dasharray="4 3") if item.dashed else ""
        mark = f"<rect{_attrs(x=x, y=y, width=w, height=h, rx=radius, fill=item.fill, stroke=item.stroke)}{dashed}/>"
    label = _text(x + w + 6, (y + h - 3,), (item.label,), size, False, "map-legend-label")
    return f'<g class="map-legend-item">{mark}{label}</g>'


def map_svg(layout: MapLayout, *, standalone: bool = True, id_prefix: str = "map-") -> str:
    """The map as an SVG document (with an XML declaration when ``standalone``; without, for a page)."""
    w, h = layout.width, layout.height
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    svg = _attrs(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {w} {h}",
        width=w,
        height=h,
        font_family="sans-serif",
        class_="thematic-map",
        aria_labelledby=f"{id_prefix}title {id_prefix}summary",
    )
    parts = [
        f"{head}<svg{svg}>",
        f"<title{_attrs(id=f'{id_prefix}title')}>{_xml(layout.title)}</title>",
        f"<desc{_attrs(id=f'{id_prefix}summary')}>{_xml(layout.summary)}</desc>",
        f"<rect{_attrs(class_='map-background', x=0, y=0, width=w, height=h, fill=BACKGROUND)}/>",
        '<g class="map-header">',
        _text(24, (24 + layout.title_size,), (layout.title,), layout.title_size, True, "map-title"),
        _text(24, (24 + layout.title_size + 22,), (layout.summary,), layout.summary_size, False, "map-summary"),
        *(_svg_legend(item, layout.legend_size) for item in layout.legend),
        '</g>\n<g class="map-edges">',
        *(
            f"<path{_attrs(class_=f'map-edge map-edge-{edge.kind}', d=_path(edge), fill='none')}"
            f"{_attrs(stroke=edge.colour, stroke_width=1.5 if edge.kind == 'shared' else 1.2)}/>"
            for edge in layout.edges
        ),
        '</g>\n<g class="map-nodes">',
        *(_svg_node(node, id_prefix) for node in layout.nodes),
        "</g>\n</svg>\n",
    ]
    return "\n".join(parts)


# --- PNG -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's built-in font at ``size`` pixels; without FreeType, its one small bitmap size."""
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, ImportError, OSError):  # an old Pillow, or one built without FreeType
        return ImageFont.load_default()


def _bezier(points: tuple[tuple[int, int], ...], steps: int = 24) -> list[tuple[float, float]]:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


def _dashed_box(draw: ImageDraw.ImageDraw, box: tuple[float, float, float, float], colour: str, width: int) -> None:
    left, top, right, bottom = box
    dash, gap = 6 * width, 4 * width
    for (x0, y0), (x1, y1) in (
        ((left, top), (right, top)),
        ((right, top), (right, bottom)),
        ((right, bottom), (left, bottom)),
        ((left, bottom), (left, top)),
    ):
        length = max(abs(x1 - x0), abs(y1 - y0))
        at = 0.0
        while at < length:
            end = min(at + dash, length)
            draw.line(
                [
                    (x0 + (x1 - x0) * at / length, y0 + (y1 - y0) * at / length),
                    (x0 + (x1 - x0) * end / length, y0 + (y1 - y0) * end / length),
                ],
                fill=colour,
                width=width,
            )
            at = end + gap


def _png_text(
    draw: ImageDraw.ImageDraw,
    node_text: tuple[int, tuple[int, ...], tuple[str, ...]],
    size: int,
    bold: bool,
    scale: float,
) -> None:
    x, baselines, lines = node_text
    font = _font(max(1, round(size * scale)))
    stroke = 1 if bold and scale >= 2 else 0  # the built-in font has no bold face: thicken it a little
    for baseline, line in zip(baselines, lines, strict=True):
        draw.text(
            (x * scale, baseline * scale),
            line,
            font=font,
            fill=TEXT,
            anchor="ls",
            stroke_width=stroke,
            stroke_fill=TEXT,
        )


def map_png(layout: MapLayout, scale: float = 2) -> bytes:
    """The map as a PNG picture at ``scale`` pixels per unit (less, for a map too big to hold in memory)."""
    scale = min(scale, (MAX_PIXELS / (layout.width * layout.height)) ** 0.5)
    image = Image.new("RGB", (round(layout.width * scale), round(layout.height * scale)), BACKGROUND)
    draw = ImageDraw.Draw(image)

    def s(value: float) -> float:
        return value * scale

    line = max(1, round(1.3 * scale))
    _png_text(draw, (24, (24 + layout.title_size,), (layout.title,)), layout.title_size, True, scale)
    _png_text(draw, (24, (24 + layout.title_size + 22,), (layout.summary,)), layout.summary_size, False, scale)
    for item in layout.legend:
        box = (s(item.x), s(item.y), s(item.x + item.width), s(item.y + item.height))
        if item.kind == "edge":
            points = (
                (item.x, item.y + item.height),
                (item.x + item.width // 2, item.y + item.height),
                (item.x + item.width // 2, item.y),
                (item.x + item.width, item.y),
            )
            draw.line([(s(x), s(y)) for x, y in _bezier(points)], fill=item.stroke, width=line)
        elif item.dashed:
            draw.rectangle(box, fill=item.fill)
            _dashed_box(draw, box, item.stroke, line)
        else:
            radius = s(item.height / 2 if item.kind == "code" else 4)
            draw.rounded_rectangle(box, radius=radius, fill=item.fill, outline=item.stroke, width=line)
        label = (item.x + item.width + 6, (item.y + item.height - 3,), (item.label,))
        _png_text(draw, label, layout.legend_size, False, scale)
    for edge in layout.edges:
        path = _bezier(edge.points) if edge.curve else [(float(x), float(y)) for x, y in edge.points]
        draw.line([(s(x), s(y)) for x, y in path], fill=edge.colour, width=line, joint="curve")
    for node in layout.nodes:
        box = (s(node.x), s(node.y), s(node.right), s(node.bottom))
        width = max(1, round((2 if node.kind == "theme" else 1.5) * scale))
        if node.status == "discarded":
            draw.rectangle(box, fill=node.fill)
            _dashed_box(draw, box, node.stroke, width)
        else:
            radius = s(node.height / 2 if node.kind == "code" and len(node.lines) == 1 else 6)
            draw.rounded_rectangle(box, radius=radius, fill=node.fill, outline=node.stroke, width=width)
        _png_text(draw, (node.text_x, node.baselines, node.lines), node.font_size, node.bold, scale)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
