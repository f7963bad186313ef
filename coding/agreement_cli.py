"""``dyadic agreement``: names from the command line resolved to ids, and the comparison as rows (DESIGN §6):
one object per code with ``code, units, percent_agreement, cohen_kappa, krippendorff_alpha``, PA+, Fleiss' κ,
AC1, Brennan–Prediger and the reason a coefficient is null, then the row of all codes pooled."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from coding.agreement_data import compare, ordered_codes
from coding.agreement_rounds import statistics_enabled
from coding.errors import InvalidInput, NotFound
from transcripts.models import User
from transcripts.projects import project_by_name

COLUMNS = [
    "code",
    "pooled",
    "units",
    "percent_agreement",
    "unanimous_agreement",
    "pa_plus",
    "cohen_kappa",
    "fleiss_kappa",
    "krippendorff_alpha",
    "ac1",
    "brennan_prediger",
    "reason",
]


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def agreement_rows(
    session: Session, *, project: str, coders: str, unit: str, theta: float | None, codes: str | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The CSV columns and one row per code plus the pooled row; ``NotFound``/``InvalidInput`` in one line for
    an unknown project, coder or code, or a reflexive project (agreement statistics are opt-in)."""
    target = project_by_name(session, project)
    if target is None:
        raise NotFound(f"no project called {project!r}")
    if not statistics_enabled(target):
        raise InvalidInput(
            f"the project {project!r} follows reflexive thematic analysis, which has no agreement statistics; "
            "compare coding side by side in the browser instead"
        )
    names = _names(coders)
    if len(set(names)) < 2:
        raise InvalidInput("name two or more different coders: --coders A,B")
    found = dict(session.exec(select(User.name, User.id).where(col(User.name).in_(names))).all())
    for name in names:
        if name not in found:
            raise NotFound(f"no coder called {name!r}")
    code_ids = None
    if codes is not None:
        by_name: dict[str, list[int]] = {}
        for code in ordered_codes(session, project_id=target.id):  # type: ignore[arg-type]
            by_name.setdefault(code.name, []).append(code.id)  # type: ignore[arg-type]
        code_ids = []
        for name in _names(codes):
            if name not in by_name:
                raise NotFound(f"no code called {name!r} in this project")
            if len(by_name[name]) > 1:
                raise InvalidInput(f"several codes are called {name!r}; rename one of them")
            code_ids.append(by_name[name][0])
    comparison = compare(
        session,
        project_id=target.id,  # type: ignore[arg-type]
        coder_ids=[found[name] for name in names],  # type: ignore[misc]
        code_ids=code_ids,
        unit=unit,
        theta=theta,
    )
    many = len(names) > 2
    rows: list[dict[str, Any]] = []
    for row in [*comparison.rows, None]:
        coefficients = row.coefficients if row else comparison.pooled
        values = {"code": row.code.name if row else "all codes pooled", "pooled": row is None}
        values |= coefficients.as_json()
        if many:
            values["pairwise_cohen_kappa"] = {
                comparison.pair_names(a, b): None if kappa is None else round(float(kappa), 6)
                for a, b, kappa in coefficients.pairwise_cohen
            }
        rows.append(values)
    return COLUMNS, rows
