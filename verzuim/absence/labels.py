"""Display texts for data that is stored in one language.

Protocol steps are data (editable per tenant), so their titles are stored as written. The
built-in protocol's titles are known here and shown in the user's language; a title a
tenant wrote itself is shown as written.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

BUILTIN_TASK_TITLES: dict[str, Promise] = {
    "Report to the occupational health service": _("Report to the occupational health service"),
    "Probleemanalyse": _("Probleemanalyse"),
    "Plan van aanpak": _("Plan van aanpak"),
    "Evaluation of the plan van aanpak": _("Evaluation of the plan van aanpak"),
    "Report to UWV (ziekmelding 42e week)": _("Report to UWV (ziekmelding 42e week)"),
    "Eerstejaarsevaluatie": _("Eerstejaarsevaluatie"),
    "Decision on a second re-integration track": _("Decision on a second re-integration track"),
    "Evaluation of the plan van aanpak (second year)": _(
        "Evaluation of the plan van aanpak (second year)"
    ),
    "Actueel oordeel by the company doctor": _("Actueel oordeel by the company doctor"),
    "Eindevaluatie": _("Eindevaluatie"),
    "WIA application with re-integratieverslag": _("WIA application with re-integratieverslag"),
    "End of wage payment": _("End of wage payment"),
}


def task_title(title: str) -> str:
    """``title`` in the active language when it is a built-in protocol title."""
    label = BUILTIN_TASK_TITLES.get(title)
    return str(label) if label is not None else title
