"""The thematic map (phases 3–4): themes, their subthemes and their member codes laid out as a graph, ready
for ``themes.map_render`` to draw as SVG or PNG.

The layout reads like an outline, so that it stays readable with forty themes and a few hundred codes:
each top-level theme is a *cluster* — its box, then its codes and its subthemes (each with its codes)
hanging from a rail beneath it — and the clusters fill a grid in the team's order, left to right and top to
bottom. A code appears once. A code held by several themes of one cluster (a theme and its subtheme) sits
under the first and is joined to the others by curves through the gap beside the cluster; a code held by
themes of different clusters sits in the band below the upper of their rows, as near as it fits to the
middle of its themes, with right-angled lines to each: along the free corridor beside the band, then down the
gap to the right of each theme's cluster (or straight onto a theme heading the next row). Boxes never overlap.

Everything is integer arithmetic on the data in the team's order, so the same themes give the same layout
(and the same bytes once drawn).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from coding.models import Code
from themes.map_text import text_width, wrap
from themes.tree import ThemeNode, flatten, theme_tree
from transcripts.projects import get_project

Point = tuple[int, int]

TEXT = "#1f2933"
EDGE = "#7b8794"
STATUS_COLOURS = {  # status: (fill, stroke)
    "candidate": ("#e6edf7", "#52729c"),
    "developing": ("#fcefd2", "#b07d12"),
    "reviewed": ("#def0f3", "#2a7f90"),
    "final": ("#e0f1e3", "#33804a"),
    "discarded": ("#f0f0f0", "#8a8a8a"),
}
FONT = {"theme": 15, "subtheme": 13, "code": 12}
MAX_LINES = {"theme": 4, "subtheme": 3, "code": 3}
MARGIN, COLUMN, COLUMN_GAP, ROW_GAP, INDENT, STACK_GAP = 24, 232, 72, 40, 20, 8
PAD_X, PAD_Y = 10, 7
RIGHT_GUTTER = 48  # room for the lines that run down the gap right of the last column
BAND_PAD, LANE_GAP, PILL_GAP, BAND_PILL_MAX, SHIFT_LIMIT = 22, 10, 12, 200, 160
MIN_WIDTH = 120
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


@dataclass(frozen=True, slots=True)
class MapNode:
    """A box of the map: a theme, a subtheme or a code, with its label cut into lines."""

    key: str  # "theme-3", "code-7": unique in the map
    kind: str  # theme, subtheme, code
    ref_id: int  # the theme's or the code's id
    name: str
    lines: tuple[str, ...]
    x: int
    y: int
    width: int
    height: int
    font_size: int
    bold: bool
    fill: str
    stroke: str
    status: str = ""  # a theme's status
    text_x: int = 0
    baselines: tuple[int, ...] = ()
    holders: tuple[str, ...] = ()  # a code's themes, by name

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height


@dataclass(frozen=True, slots=True)
class MapEdge:
    """A line from a theme to a subtheme or to a member code. ``points`` is a polyline, or with ``curve`` a
    cubic Bézier (start, two control points, end)."""

    source: str
    target: str
    kind: str  # subtheme, member, shared
    points: tuple[Point, ...]
    curve: bool
    colour: str


@dataclass(frozen=True, slots=True)
class LegendItem:
    label: str
    kind: str  # theme, subtheme, code, edge
    fill: str
    stroke: str
    x: int
    y: int
    width: int
    height: int
    dashed: bool = False


@dataclass(frozen=True, slots=True)
class MapLayout:
    """The whole map: its size, its title and summary line, the legend, the boxes and the lines."""

    title: str
    summary: str
    width: int
    height: int
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]
    legend: tuple[LegendItem, ...]
    title_size: int = 18
    summary_size: int = 12
    legend_size: int = 12

    def node(self, key: str) -> MapNode:
        return next(node for node in self.nodes if node.key == key)


@dataclass(slots=True)
class _Box:
    key: str
    kind: str
    ref_id: int
    name: str
    lines: list[str]
    width: int
    height: int
    fill: str
    stroke: str
    status: str = ""
    x: int = 0
    y: int = 0
    holders: tuple[str, ...] = ()


@dataclass(slots=True)
class _Cluster:
    boxes: list[_Box] = field(default_factory=list)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (parent key, child key, kind)
    height: int = 0


def _line_height(size: int) -> int:
    return round(size * 1.3)


def _box(key: str, kind: str, ref_id: int, name: str, width: int, fill: str, stroke: str, **extra: object) -> _Box:
    size, bold = FONT["code" if kind.startswith("code") else kind], kind != "code"
    lines = wrap(name, size, bold=bold, max_width=width - 2 * PAD_X, max_lines=MAX_LINES[kind])
    height = 2 * PAD_Y + _line_height(size) * len(lines)
    return _Box(key, kind, ref_id, name, lines, width, height, fill, stroke, **extra)  # type: ignore[arg-type]


def _tint(colour: str, share: float = 0.22) -> str:
    """``colour`` mixed into white: a fill light enough for dark text whatever the codebook colour."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - value) * share) for value in (red, green, blue))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def _code_box(code: Code, width: int, holders: tuple[str, ...]) -> _Box:
    colour = code.colour.lower() if _COLOUR.fullmatch(code.colour or "") else "#4c78a8"
    return _box(f"code-{code.id}", "code", code.id or 0, code.name, width, _tint(colour), colour, holders=holders)


def _theme_box(node: ThemeNode, width: int) -> _Box:
    theme = node.theme
    kind = "theme" if node.depth == 0 else "subtheme"
    fill, stroke = STATUS_COLOURS.get(theme.status, STATUS_COLOURS["candidate"])
    if kind == "subtheme":
        fill = "#ffffff"
    return _box(f"theme-{theme.id}", kind, theme.id or 0, theme.name, width, fill, stroke, status=theme.status)


def _cluster(
    root: ThemeNode, local: dict[int, list[int]], codes: dict[int, Code], holders: dict[int, tuple[str, ...]]
) -> _Cluster:
    """A top-level theme with everything hanging from it, at (0, 0); ``local`` gives each theme the codes
    placed under it."""
    cluster = _Cluster()
    cursor = 0

    def place(node: ThemeNode, parent_key: str | None) -> None:
        nonlocal cursor
        indent = min(node.depth, 3) * INDENT
        box = _theme_box(node, max(MIN_WIDTH, COLUMN - indent))
        box.x, box.y = indent, cursor
        cursor += box.height + STACK_GAP
        cluster.boxes.append(box)
        if parent_key:
            cluster.links.append((parent_key, box.key, "subtheme"))
        for code_id in local.get(node.theme.id or 0, []):
            code = _code_box(codes[code_id], max(MIN_WIDTH, COLUMN - indent - INDENT), holders[code_id])
            code.x, code.y = indent + INDENT, cursor
            cursor += code.height + STACK_GAP
            cluster.boxes.append(code)
            cluster.links.append((box.key, code.key, "member"))
        for child in node.children:
            place(child, box.key)

    place(root, None)
    cluster.height = cursor - STACK_GAP
    return cluster


def _rail(parent: _Box, child: _Box) -> tuple[Point, ...]:
    rail_x = parent.x + INDENT // 2
    mid = child.y + child.height // 2
    return ((rail_x, parent.y + parent.height), (rail_x, mid), (child.x, mid))


def _route(code: _Box, target: _Box, *, down_to_top: bool, run_y: int, gap_x: int, lane: int) -> tuple[Point, ...]:
    """Right-angled lines from a shared code in a band to one of its themes: along the free corridor above
    or below the band, then either straight down onto a theme that heads the next row (``down_to_top``) or
    along the gap to the right of the theme's cluster and into the theme's right side."""
    x = code.x + code.width // 2
    start = (x, code.y) if run_y < code.y else (x, code.y + code.height)
    if down_to_top:
        to_x = target.x + target.width // 2 + (lane % 5 - 2) * 12
        return (start, (x, run_y), (to_x, run_y), (to_x, target.y))
    mid = target.y + target.height // 2
    return (start, (x, run_y), (gap_x, run_y), (gap_x, mid), (target.x + target.width, mid))


def _beside(code: _Box, target: _Box, gap_x: int) -> tuple[Point, ...]:
    """A cubic from a code to another theme of its own cluster, through the gap on the cluster's right."""
    start = (code.x + code.width, code.y + code.height // 2)
    end = (target.x + target.width, target.y + target.height // 2)
    return (start, (gap_x, start[1]), (gap_x, end[1]), end)


def _lanes(pills: list[tuple[int, _Box]], width: int) -> list[list[_Box]]:
    """Shared codes in a band: each as near its wanted left edge as the codes before it allow, in as few
    lanes (rows) as that takes."""
    lanes: list[list[_Box]] = []
    for wanted, pill in sorted(pills, key=lambda item: (item[0], item[1].key)):
        wanted = max(0, min(wanted, width - pill.width))
        for lane in lanes:
            left = max(wanted, lane[-1].x + lane[-1].width + PILL_GAP)
            if left - wanted <= SHIFT_LIMIT and left + pill.width <= width:
                pill.x = left
                lane.append(pill)
                break
        else:
            pill.x = wanted
            lanes.append([pill])
    return lanes


def _legend(statuses: list[str], top: int, width: int, size: int) -> tuple[list[LegendItem], int]:
    entries = [(f"theme: {status}", "theme", *STATUS_COLOURS[status], status == "discarded") for status in statuses]
    entries += [
        ("subtheme", "subtheme", "#ffffff", STATUS_COLOURS["candidate"][1], False),
        ("code (its codebook colour)", "code", _tint("#4c78a8"), "#4c78a8", False),
        ("code in several themes", "edge", "none", EDGE, False),
    ]
    items, x, y = [], MARGIN, top
    for label, kind, fill, stroke, dashed in entries:
        span = 30 + round(text_width(label, size)) + 22
        if x > MARGIN and x + span > width - MARGIN:
            x, y = MARGIN, y + 24
        items.append(LegendItem(label, kind, fill, stroke, x, y, 24, 16, dashed))
        x += span
    return items, y + 16


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@dataclass(slots=True)
class _Members:
    """Which themes hold which codes, and where each code goes: under its one cluster, or in a band."""

    holders: dict[int, list[ThemeNode]]
    names: dict[int, tuple[str, ...]]
    codes: dict[int, Code]
    local: dict[int, list[int]]  # theme id → the codes placed under it, in its order
    banded: list[int]  # codes held by themes of different clusters


def _members(session: Session, themes: list[ThemeNode], cluster_of: dict[int, int]) -> _Members:
    holders: dict[int, list[ThemeNode]] = defaultdict(list)
    for node in themes:
        for code_id in node.code_ids:
            holders[code_id].append(node)
    ids = list(holders)
    codes = {code.id: code for code in session.exec(select(Code).where(col(Code.id).in_(ids)))} if ids else {}
    holders = {code_id: nodes for code_id, nodes in holders.items() if code_id in codes}
    local: dict[int, list[int]] = defaultdict(list)
    banded: list[int] = []
    for code_id, nodes in holders.items():
        if len({cluster_of[node.theme.id or 0] for node in nodes}) == 1:
            local[nodes[0].theme.id or 0].append(code_id)
        else:
            banded.append(code_id)
    names = {code_id: tuple(node.theme.name for node in nodes) for code_id, nodes in holders.items()}
    return _Members(holders, names, codes, local, banded)  # type: ignore[arg-type]


def thematic_map(session: Session, *, project_id: int, include_discarded: bool = False) -> MapLayout:
    """The project's thematic map: its themes (without discarded ones, unless ``include_discarded``), their
    subthemes and member codes, laid out for drawing."""
    project = get_project(session, project_id)
    roots = theme_tree(session, project_id=project_id, include_discarded=include_discarded)
    themes = list(flatten(roots))
    cluster_of = {node.theme.id or 0: index for index, root in enumerate(roots) for node in flatten([root])}
    m = _members(session, themes, cluster_of)

    count = len(roots)
    columns = max(1, min(count, 10, math.ceil(math.sqrt(count * 1.6)))) if count else 1
    grid_width = columns * COLUMN + (columns - 1) * COLUMN_GAP
    statuses = [s for s in STATUS_COLOURS if any(n.theme.status == s for n in themes)] or ["candidate"]
    title = f"Thematic map · {project.name}"
    width = max(grid_width + 2 * MARGIN + RIGHT_GUTTER, round(text_width(title, 18, bold=True)) + 2 * MARGIN, 480)
    legend, legend_bottom = _legend(statuses, MARGIN + 48, width, 12)

    clusters = [_cluster(root, m.local, m.codes, m.names) for root in roots]
    home: dict[int, _Box] = {}  # theme id → its box
    for index, cluster in enumerate(clusters):  # x first: a band's codes look ahead to later rows
        for box in cluster.boxes:
            box.x += MARGIN + (index % columns) * (COLUMN + COLUMN_GAP)
            if box.kind != "code":
                home[box.ref_id] = box
    boxes: dict[str, _Box] = {}
    rows = [list(range(start, min(start + columns, count))) for start in range(0, count, columns)]
    band_of = {code_id: min(cluster_of[n.theme.id or 0] for n in m.holders[code_id]) // columns for code_id in m.banded}
    corridors: dict[int, tuple[int, int]] = {}  # row → y of the free corridors above and below its band
    cursor = legend_bottom + 28
    for row_index, row in enumerate(rows):
        for index in row:
            for box in clusters[index].boxes:
                box.y += cursor
                boxes[box.key] = box
        cursor += max(clusters[index].height for index in row)
        above = cursor
        pills = []
        for code_id in (code_id for code_id in m.banded if band_of[code_id] == row_index):
            label_width = round(text_width(m.codes[code_id].name, FONT["code"])) + 2 * PAD_X + 2
            pill = _code_box(m.codes[code_id], min(BAND_PILL_MAX, max(72, label_width)), m.names[code_id])
            centres = [home[n.theme.id or 0].x + home[n.theme.id or 0].width // 2 for n in m.holders[code_id]]
            pills.append((round(sum(centres) / len(centres)) - pill.width // 2 - MARGIN, pill))
        if pills:
            cursor += BAND_PAD
            for lane in _lanes(pills, grid_width):
                for pill in lane:
                    pill.x, pill.y = pill.x + MARGIN, cursor
                    boxes[pill.key] = pill
                cursor += max(pill.height for pill in lane) + LANE_GAP
            cursor += BAND_PAD - LANE_GAP
        corridors[row_index] = (above, cursor)
        if row_index < len(rows) - 1:
            cursor += ROW_GAP

    edges = [
        MapEdge(parent, child, kind, _rail(boxes[parent], boxes[child]), False, EDGE)
        for index in range(count)
        for parent, child, kind in clusters[index].links
    ]
    for k, code_id in enumerate(m.banded):
        code_box, band = boxes[f"code-{code_id}"], band_of[code_id]
        for position, node in enumerate(m.holders[code_id]):
            target, target_row = home[node.theme.id or 0], cluster_of[node.theme.id or 0] // columns
            below = target_row > band
            run_y = corridors[band][1] + 6 + (k + position) % 4 * 4 if below else corridors[band][0] + 5 + k % 4 * 3
            cluster_right = MARGIN + cluster_of[node.theme.id or 0] % columns * (COLUMN + COLUMN_GAP) + COLUMN
            points = _route(
                code_box,
                target,
                down_to_top=below and target_row == band + 1 and node.depth == 0,
                run_y=run_y,
                gap_x=cluster_right + 10 + (k + position) % 5 * 7,
                lane=k + position,
            )
            edges.append(MapEdge(target.key, code_box.key, "shared", points, False, code_box.stroke))
    for theme_id, code_ids in m.local.items():  # a code held by several themes of one cluster
        for code_id in code_ids:
            code_box = boxes[f"code-{code_id}"]
            for node in m.holders[code_id][1:]:
                target = home[node.theme.id or 0]
                cluster_right = MARGIN + cluster_of[theme_id] % columns * (COLUMN + COLUMN_GAP) + COLUMN
                points = _beside(code_box, target, cluster_right + COLUMN_GAP // 3)
                edges.append(MapEdge(target.key, code_box.key, "shared", points, True, code_box.stroke))

    return MapLayout(
        title=title,
        summary=_summary(themes, m.holders, include_discarded),
        width=width,
        height=(cursor if roots else legend_bottom + 68) + MARGIN,
        nodes=tuple(_node(box) for box in boxes.values()),
        edges=tuple(edges),
        legend=tuple(legend),
    )


def _summary(themes: list[ThemeNode], holders: dict[int, list[ThemeNode]], discarded: bool) -> str:
    if not themes:
        return "No themes yet: create themes from codes on the candidate board, and they appear here."
    tops = sum(1 for node in themes if node.depth == 0)
    shared = sum(1 for nodes in holders.values() if len(nodes) > 1)
    parts = [_plural(tops, "theme"), _plural(len(themes) - tops, "subtheme"), _plural(len(holders), "code")]
    text = " · ".join(parts) + (f" ({shared} in several themes)" if shared else "")
    return text + (" · discarded themes shown" if discarded else "")


def _node(box: _Box) -> MapNode:
    size = FONT[box.kind]
    line = _line_height(size)
    first = box.y + PAD_Y + round(size * 0.95)
    return MapNode(
        key=box.key,
        kind=box.kind,
        ref_id=box.ref_id,
        name=box.name,
        lines=tuple(box.lines),
        x=box.x,
        y=box.y,
        width=box.width,
        height=box.height,
        font_size=size,
        bold=box.kind != "code",
        fill=box.fill,
        stroke=box.stroke,
        status=box.status,
        text_x=box.x + PAD_X,
        baselines=tuple(first + i * line for i in range(len(box.lines))),
        holders=box.holders,
    )
