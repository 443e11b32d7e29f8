"""The sick-leave figures (SPEC.md §9; docs/figures.md): read-only database aggregations.

``periods`` (pure date maths), ``queries`` (the aggregate queries), ``figures`` (the
derived figures and the dashboard bundle).
"""

from verzuim.absence.kpis.figures import Dashboard, Figures, dashboard, figures_for, monthly
from verzuim.absence.kpis.periods import DEFAULT_PRESET, PRESETS, Period, preset_period
from verzuim.absence.kpis.queries import DURATION_CLASSES, Selection

__all__ = [
    "DEFAULT_PRESET",
    "DURATION_CLASSES",
    "PRESETS",
    "Dashboard",
    "Figures",
    "Period",
    "Selection",
    "dashboard",
    "figures_for",
    "monthly",
    "preset_period",
]
