"""The thematic map, on SQLite and PostgreSQL: which themes, subthemes and codes it shows and how they are
joined, that its boxes never overlap and hold their labels (also with forty themes), that it is drawn the same
way every time, and that the SVG and PNG a researcher downloads are well-formed and show the names."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import pytest
from PIL import Image, ImageFont
from sqlmodel import Session

from coding.models import Code
from tests.factories import make_code, researcher, study
from themes.map import PAD_X, PAD_Y, STATUS_COLOURS, MapLayout, MapNode, thematic_map
from themes.map_render import map_png, map_svg
from themes.map_text import text_width, wrap
from themes.models import Theme
from themes.themes import add_codes, create_theme, discard_theme
from transcripts.models import Project, User

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = "Trust <b>grows</b> & 🌱 repairs"


@dataclass
class Mapped:
    project: Project
    ana: User
    codes: dict[str, Code]
    themes: dict[str, Theme]

    def layout(self, session: Session, **options: bool) -> MapLayout:
        return thematic_map(session, project_id=self.project.id or 0, **options)


@pytest.fixture
def mapped(session: Session, tmp_path: Path) -> Mapped:
    """Safety (codes: heard, trust; subtheme Being heard: silence), Repair (trust shared; rupture), a theme
    with a tricky name (waiting), and a discarded theme (doubt, held by no other theme)."""
    project, _ = study(session, tmp_path)
    ana = researcher(session)
    colours = {"heard": "#e45756", "trust": "#54a24b", "silence": "#4c78a8", "rupture": "#f58518"}
    codes = {name: make_code(session, project, name, colour=colour) for name, colour in colours.items()}
    codes |= {name: make_code(session, project, name) for name in ("waiting", "doubt")}
    pid, ids = project.id or 0, {name: code.id or 0 for name, code in codes.items()}
    themes = {
        "Safety": create_theme(
            session, project_id=pid, user=ana, name="Safety", code_ids=[ids["heard"], ids["trust"]], status="final"
        )
    }
    themes["Being heard"] = create_theme(
        session, project_id=pid, user=ana, name="Being heard", code_ids=[ids["silence"]], parent_id=themes["Safety"].id
    )
    themes["Repair"] = create_theme(
        session, project_id=pid, user=ana, name="Repair", code_ids=[ids["rupture"], ids["trust"]], status="developing"
    )
    themes[TRICKY] = create_theme(session, project_id=pid, user=ana, name=TRICKY, code_ids=[ids["waiting"]])
    themes["Doubt"] = create_theme(session, project_id=pid, user=ana, name="Doubt", code_ids=[ids["doubt"]])
    discard_theme(session, theme_id=themes["Doubt"].id or 0, user=ana)
    return Mapped(project, ana, codes, themes)


def by_name(layout: MapLayout) -> dict[str, MapNode]:
    return {node.name: node for node in layout.nodes}


def edges_of(layout: MapLayout, node: MapNode) -> list[tuple[str, str]]:
    return sorted((edge.source, edge.kind) for edge in layout.edges if edge.target == node.key)


def overlapping(nodes: tuple[MapNode, ...]) -> list[tuple[str, str]]:
    return [
        (a.name, b.name)
        for a, b in itertools.combinations(nodes, 2)
        if a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom
    ]


def test_the_map_shows_every_live_theme_subtheme_and_member_code_once(session: Session, mapped: Mapped) -> None:
    layout = mapped.layout(session)
    nodes = by_name(layout)
    assert sorted((node.kind, node.name) for node in layout.nodes) == [
        ("code", "heard"),
        ("code", "rupture"),
        ("code", "silence"),
        ("code", "trust"),
        ("code", "waiting"),
        ("subtheme", "Being heard"),
        ("theme", "Repair"),
        ("theme", "Safety"),
        ("theme", TRICKY),
    ]
    safety, repair, heard = nodes["Safety"], nodes["Repair"], nodes["Being heard"]
    assert edges_of(layout, nodes["trust"]) == sorted([(safety.key, "shared"), (repair.key, "shared")])
    assert edges_of(layout, nodes["heard"]) == [(safety.key, "member")]
    assert edges_of(layout, nodes["silence"]) == [(heard.key, "member")]
    assert edges_of(layout, heard) == [(safety.key, "subtheme")]
    assert "4 themes" not in layout.summary and layout.summary.startswith("3 themes · 1 subtheme · 5 codes")
    assert "(1 in several themes)" in layout.summary
    # codes keep their codebook colour, themes show their status
    assert (nodes["heard"].stroke, nodes["rupture"].stroke) == ("#e45756", "#f58518")
    assert (safety.status, safety.stroke) == ("final", STATUS_COLOURS["final"][1])
    assert (repair.status, repair.fill) == ("developing", STATUS_COLOURS["developing"][0])


def test_a_shared_code_sits_between_its_themes(session: Session, mapped: Mapped) -> None:
    nodes = by_name(mapped.layout(session))
    trust, safety, repair = nodes["trust"], nodes["Safety"], nodes["Repair"]
    # Safety and Repair head different clusters: trust lies in the band below them, not inside either cluster
    assert trust.y > max(node.bottom for node in mapped.layout(session).nodes if node.name in ("heard", "silence"))
    assert safety.x <= trust.x + trust.width // 2 <= repair.right


def test_discarded_themes_appear_only_when_asked_for(session: Session, mapped: Mapped) -> None:
    assert "Doubt" not in by_name(mapped.layout(session)) and "doubt" not in by_name(mapped.layout(session))
    layout = mapped.layout(session, include_discarded=True)
    nodes = by_name(layout)
    assert (nodes["Doubt"].status, nodes["Doubt"].fill) == ("discarded", STATUS_COLOURS["discarded"][0])
    assert edges_of(layout, nodes["doubt"]) == [(nodes["Doubt"].key, "member")]
    assert "discarded themes shown" in layout.summary
    assert 'stroke-dasharray="6 4"' in map_svg(layout)


def test_a_code_in_a_theme_and_its_subtheme_stays_in_their_cluster(session: Session, mapped: Mapped) -> None:
    create_theme(
        session,
        project_id=mapped.project.id or 0,
        user=mapped.ana,
        name="Feeling understood",
        parent_id=mapped.themes["Safety"].id,
        code_ids=[mapped.codes["heard"].id or 0],
    )
    layout = mapped.layout(session)
    nodes = by_name(layout)
    heard, safety, understood = nodes["heard"], nodes["Safety"], nodes["Feeling understood"]
    assert [node.name for node in layout.nodes].count("heard") == 1
    assert edges_of(layout, heard) == sorted([(safety.key, "member"), (understood.key, "shared")])
    assert safety.x <= heard.x and heard.right <= safety.right, "the code stays in Safety's column"
    assert not overlapping(layout.nodes)


def pillow_width(line: str, size: int, bold: bool) -> float:
    """How wide the PNG draws a line (scale 2: the font at twice the size, bold thickened by one pixel)."""
    font = ImageFont.load_default(size=size * 2)
    return (font.getlength(line) + (2 if bold else 0)) / 2


def test_forty_themes_lay_out_without_overlaps_within_bounds_and_every_label_fits(
    session: Session, tmp_path: Path
) -> None:
    project, _ = study(session, tmp_path)
    ana = researcher(session)
    pid = project.id or 0
    words = ["alliance", "rupture", "silence", "shame", "being heard", "waiting", "the interpreter's voice"]
    codes = [make_code(session, project, f"{words[i % 7]} {words[i * 3 % 7]} {i}") for i in range(200)]
    codes.append(make_code(session, project, "W" * 40 + " " + "x" * 60))  # unbreakable words
    for t in range(40):
        ids = [code.id or 0 for code in codes[t * 5 : t * 5 + 5]]
        name = f"Theme {t}: " + " ".join(words[(t + k) % 7] for k in range(t % 9))
        if t % 6 == 0:
            ids.append(codes[(t * 5 + 37) % 200].id or 0)  # shared with a theme a few clusters on
        theme = create_theme(session, project_id=pid, user=ana, name=name, code_ids=ids[:3] + ids[5:])
        if t % 4 == 0:
            create_theme(
                session, project_id=pid, user=ana, name=f"Subtheme of {t}", parent_id=theme.id, code_ids=ids[3:5]
            )
        else:
            add_codes(session, theme_id=theme.id or 0, code_ids=ids[3:5], user=ana)
    long_name = "A theme whose name goes on " + "and on " * 20 + "to the end"
    create_theme(session, project_id=pid, user=ana, name=long_name, code_ids=[codes[-1].id or 0, codes[0].id or 0])

    layout = thematic_map(session, project_id=pid)
    themes = [node for node in layout.nodes if node.kind == "theme"]
    assert len(themes) == 41 and len([node for node in layout.nodes if node.kind == "code"]) == 201
    assert not overlapping(layout.nodes)
    assert layout.width <= 3200 and layout.height <= 3200 and 0.6 <= layout.width / layout.height <= 2.5
    header_bottom = max(item.y + item.height for item in layout.legend)
    for node in layout.nodes:
        assert node.x >= 0 and node.right <= layout.width and header_bottom < node.y and node.bottom <= layout.height
        assert node.baselines[-1] + PAD_Y <= node.bottom
        for line in node.lines:
            assert text_width(line, node.font_size, bold=node.bold) <= node.width - 2 * PAD_X, (node.name, line)
            assert pillow_width(line, node.font_size, node.bold) <= node.width - 2 * PAD_X, (node.name, line)
    cut = by_name(layout)[long_name]
    assert len(cut.lines) == 4 and cut.lines[-1].endswith("…") and cut.lines[0].startswith("A theme whose")
    for edge in layout.edges:
        assert all(0 <= x <= layout.width and 0 <= y <= layout.height for x, y in edge.points)


def test_the_same_themes_draw_the_same_bytes(session: Session, mapped: Mapped) -> None:
    first, second = mapped.layout(session), mapped.layout(session)
    assert map_svg(first) == map_svg(second)
    assert map_png(first) == map_png(second)


def test_the_svg_is_well_formed_with_every_name_escaped(session: Session, mapped: Mapped) -> None:
    mapped.codes["waiting"].name = "wait\x01ing"  # a control character, as an imported codebook might hold
    session.add(mapped.codes["waiting"])
    session.commit()
    svg = map_svg(mapped.layout(session))
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "&lt;b&gt;grows&lt;/b&gt; &amp; 🌱" in svg and "<b>" not in svg
    root = lxml.etree.fromstring(svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg" and root.get("viewBox", "").startswith("0 0 ")
    assert root.findtext(f"{SVG}title") == "Thematic map · IPR study"
    labels = [" ".join(text.itertext()) for text in root.iter(f"{SVG}text")]  # a wrapped name: a tspan a line
    for name in ("Safety", "Being heard", "Repair", TRICKY, "heard", "trust", "silence", "rupture", "waiting"):
        assert name in labels, name
    assert not [element.tag for element in root.iter() if element.get("style") is not None]
    assert not list(root.iter(f"{SVG}style")) and not list(root.iter(f"{SVG}script"))
    (tricky,) = [
        group for group in root.iter(f"{SVG}g") if group.findtext(f"{SVG}title") == f"theme {TRICKY} (candidate)"
    ]
    assert "map-theme" in tricky.get("class", "")


def test_the_png_has_the_layouts_size_and_draws_the_boxes(session: Session, mapped: Mapped) -> None:
    assert isinstance(ImageFont.load_default(size=24), ImageFont.FreeTypeFont), "Pillow's scalable built-in font"
    layout = mapped.layout(session)
    image = Image.open(io.BytesIO(map_png(layout, scale=2)))
    assert image.format == "PNG" and image.size == (layout.width * 2, layout.height * 2)
    rgb = image.convert("RGB")
    colours = rgb.getcolors(maxcolors=1_000_000) or []
    assert sum(count for count, colour in colours if colour != (255, 255, 255)) > 0.05 * layout.width * layout.height
    safety = by_name(layout)["Safety"]  # the inside of its box, below the text: the status fill
    inside = rgb.getpixel(((safety.right - 6) * 2, (safety.bottom - 4) * 2))
    assert "#{:02x}{:02x}{:02x}".format(*inside) == STATUS_COLOURS["final"][0]
    small = Image.open(io.BytesIO(map_png(layout, scale=1)))
    assert small.size == (layout.width, layout.height)


def test_a_project_without_themes_draws_an_empty_map_that_says_so(session: Session, tmp_path: Path) -> None:
    project, _ = study(session, tmp_path)
    layout = thematic_map(session, project_id=project.id or 0)
    assert layout.nodes == () and layout.edges == () and layout.summary.startswith("No themes yet")
    root = lxml.etree.fromstring(map_svg(layout).encode("utf-8"))
    assert "No themes yet" in "".join(root.itertext())
    assert Image.open(io.BytesIO(map_png(layout))).size == (layout.width * 2, layout.height * 2)


def test_wrapping_breaks_between_words_then_inside_long_words_and_ends_in_an_ellipsis() -> None:
    assert wrap("being heard by the therapist", 12, max_width=100, max_lines=3) == ["being heard by", "the therapist"]
    assert all(text_width(line, 12) <= 60 for line in wrap("x" * 40, 12, max_width=60, max_lines=9))
    assert "".join(wrap("x" * 40, 12, max_width=60, max_lines=9)) == "x" * 40
    cut = wrap("one two three four five six seven eight nine ten", 12, max_width=60, max_lines=2)
    assert len(cut) == 2 and cut[-1].endswith("…") and text_width(cut[-1], 12) <= 60
    assert text_width("🌱", 12) > text_width("o", 12) > text_width("i", 12) > 0 == text_width("\u0301", 12)
