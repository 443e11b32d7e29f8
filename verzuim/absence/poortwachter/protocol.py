"""Poortwachter protocols as data: steps, the built-in protocol, (de)serialisation."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields

from verzuim.absence.poortwachter.base import InvalidProtocol


@dataclass(frozen=True, kw_only=True)
class ProtocolStep:
    """One step of a Poortwachter protocol (stored as data, editable per tenant).

    * plain: deadline on the last day of sick week ``week`` plus ``offset_days``;
    * windowed (``window_end_week`` set): opens on the first day of ``week`` plus
      ``offset_days``, closes on the last day of ``window_end_week``;
    * ``relative_to`` (a step code): counted from that step's deadline (window end if
      windowed) instead of from sick day 0 — ``week`` weeks plus ``offset_days`` days later;
    * ``recurring_every_weeks``: repeats that many weeks after each occurrence, while the
      occurrence falls before the opening day of ``repeat_until`` (a step code) and within
      104 weeks.
    """

    code: str
    title: str
    week: int
    offset_days: int = 0
    window_end_week: int | None = None
    recurring_every_weeks: int | None = None
    relative_to: str | None = None
    repeat_until: str | None = None
    role: str


DEFAULT_PROTOCOL: tuple[ProtocolStep, ...] = (
    ProtocolStep(
        code="report_health_service",
        title="Report to the occupational health service",
        week=1,
        role="employer",
    ),
    ProtocolStep(code="problem_analysis", title="Probleemanalyse", week=6, role="company_doctor"),
    ProtocolStep(code="action_plan", title="Plan van aanpak", week=8, role="case_manager"),
    ProtocolStep(
        code="evaluation",
        title="Evaluation of the plan van aanpak",
        week=6,
        relative_to="action_plan",
        recurring_every_weeks=6,
        repeat_until="first_year_evaluation",
        role="case_manager",
    ),
    ProtocolStep(
        code="report_uwv",
        title="Report to UWV (ziekmelding 42e week)",
        week=42,
        offset_days=1,
        role="employer",
    ),
    ProtocolStep(
        code="first_year_evaluation",
        title="Eerstejaarsevaluatie",
        week=46,
        window_end_week=52,
        role="case_manager",
    ),
    ProtocolStep(
        code="second_track_decision",
        title="Decision on a second re-integration track",
        week=6,
        relative_to="first_year_evaluation",
        role="case_manager",
    ),
    ProtocolStep(
        code="evaluation_year_two",
        title="Evaluation of the plan van aanpak (second year)",
        week=6,
        relative_to="first_year_evaluation",
        recurring_every_weeks=6,
        repeat_until="current_assessment",
        role="case_manager",
    ),
    ProtocolStep(
        code="current_assessment",
        title="Actueel oordeel by the company doctor",
        week=87,
        window_end_week=91,
        role="company_doctor",
    ),
    ProtocolStep(
        code="final_evaluation",
        title="Eindevaluatie",
        week=87,
        window_end_week=91,
        role="case_manager",
    ),
    ProtocolStep(
        code="wia_application",
        title="WIA application with re-integratieverslag",
        week=91,
        window_end_week=93,
        role="employee",
    ),
    ProtocolStep(
        code="end_of_wage_payment", title="End of wage payment", week=104, role="employer"
    ),
)

_INT_FIELDS = ("week", "offset_days", "window_end_week", "recurring_every_weeks")
_STR_FIELDS = ("code", "title", "relative_to", "repeat_until", "role")
_REQUIRED = ("code", "title", "week", "role")


def protocol_to_dicts(protocol: Iterable[ProtocolStep]) -> list[dict]:
    """Plain dicts (JSON-ready) for storage; inverse of :func:`protocol_from_dicts`."""
    return [asdict(step) for step in protocol]


def protocol_from_dicts(rows: Iterable[Mapping]) -> tuple[ProtocolStep, ...]:
    """Build and validate a protocol from plain dicts; raise :class:`InvalidProtocol`."""
    errors: list[str] = []
    known = {f.name for f in fields(ProtocolStep)}
    steps: list[ProtocolStep] = []
    for index, row in enumerate(rows):
        where = f"step {index + 1}"
        if not isinstance(row, Mapping):
            errors.append(f"{where}: must be a mapping")
            continue
        row_errors: list[str] = []
        for key in sorted(set(row) - known, key=str):
            row_errors.append(f"{where}: unknown field {key!r}")
        for key in _REQUIRED:
            if row.get(key) is None:
                row_errors.append(f"{where}: {key} is required")
        for key in _INT_FIELDS:
            value = row.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                row_errors.append(f"{where}: {key} must be a whole number")
        for key in _STR_FIELDS:
            value = row.get(key)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                row_errors.append(f"{where}: {key} must be a non-empty text")
        if row_errors:
            errors.extend(row_errors)
            continue
        step = ProtocolStep(**{k: row[k] for k in row if k in known})
        minimum_week = 0 if step.relative_to else 1
        if step.week < minimum_week:
            errors.append(f"{where} ({step.code}): week must be at least {minimum_week}")
        if step.window_end_week is not None and step.window_end_week < step.week:
            errors.append(f"{where} ({step.code}): window_end_week is before week")
        if step.recurring_every_weeks is not None and step.recurring_every_weeks < 1:
            errors.append(f"{where} ({step.code}): recurring_every_weeks must be at least 1")
        if step.repeat_until is not None and step.recurring_every_weeks is None:
            errors.append(f"{where} ({step.code}): repeat_until needs recurring_every_weeks")
        steps.append(step)

    codes = [s.code for s in steps]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        errors.append(f"duplicate step code {code!r}")
    by_code = {s.code: s for s in steps}
    for step in steps:
        for attr in ("relative_to", "repeat_until"):
            ref = getattr(step, attr)
            if ref is not None and ref not in by_code:
                errors.append(f"{step.code}: {attr} refers to unknown step {ref!r}")
        if step.relative_to is not None and step.relative_to in by_code:
            if by_code[step.relative_to].recurring_every_weeks is not None:
                errors.append(f"{step.code}: cannot be relative to a recurring step")
    if not errors:
        for step in steps:
            seen = {step.code}
            ref = step.relative_to
            while ref is not None:
                if ref in seen:
                    errors.append(f"{step.code}: relative_to forms a cycle")
                    break
                seen.add(ref)
                ref = by_code[ref].relative_to
    if errors:
        raise InvalidProtocol(errors)
    return tuple(steps)
