"""One form per kind of step (``Action``): the fields the step's handler in
``services.casework`` reads from ``ActRequest.data``, laid out the way the paper form is.

The forms live in modules by the part of the case they belong to (``steps_review``,
``steps_inspection``, ``steps_sign``, ``steps_office``) over ``steps_base``; this module is the
registry the dialog asks (``form_for``) and re-exports the form classes.
"""

from __future__ import annotations

from desktop_perizinan.ui.tugas.steps_base import NoteOnlyForm, StepEnv, StepForm
from desktop_perizinan.ui.tugas.steps_composite import CompositeForm
from desktop_perizinan.ui.tugas.steps_inspection import InspectionForm
from desktop_perizinan.ui.tugas.steps_office import (
    DeliveryForm,
    HandoverForm,
    NumberForm,
    PaymentForm,
)
from desktop_perizinan.ui.tugas.steps_review import (
    DispositionForm,
    DraftForm,
    ParafForm,
    RecommendationForm,
    RecommendationRequestForm,
    VerificationForm,
)
from desktop_perizinan.ui.tugas.steps_sign import SignForm, esign_available
from desktop_perizinan.workflow.definition import Action

FORMS: dict[Action, type[StepForm]] = {
    Action.VERIFICATION: VerificationForm,
    Action.DISPOSITION: DispositionForm,
    Action.RECOMMENDATION_REQUEST: RecommendationRequestForm,
    Action.INSPECTION: InspectionForm,
    Action.RECOMMENDATION: RecommendationForm,
    Action.DRAFT: DraftForm,
    Action.PARAF: ParafForm,
    Action.SIGN: SignForm,
    Action.NUMBER: NumberForm,
    Action.PAYMENT: PaymentForm,
    Action.DELIVERY: DeliveryForm,
    Action.HANDOVER: HandoverForm,
}


def form_for(env: StepEnv) -> StepForm:
    """The form for the case's open step; steps with no form of their own get a note box.

    A composite SOP row (``actions = [...]``) whose actions have two or more forms gets them
    all, stacked (``steps_composite``); with one form it is that form alone."""
    step = env.view.open_step
    assert step is not None
    parts: list[tuple[Action, type[StepForm]]] = []
    for action in env.permit_type.step(step.step_id).actions or (step.action,):
        form_class = FORMS.get(action)
        if form_class is not None and all(form_class is not c for _a, c in parts):
            parts.append((action, form_class))
    if len(parts) > 1:
        return CompositeForm(env, parts, step.action)
    return FORMS.get(step.action, NoteOnlyForm)(env)


__all__ = [
    "FORMS",
    "CompositeForm",
    "DeliveryForm",
    "DispositionForm",
    "DraftForm",
    "HandoverForm",
    "InspectionForm",
    "NoteOnlyForm",
    "NumberForm",
    "ParafForm",
    "PaymentForm",
    "RecommendationForm",
    "RecommendationRequestForm",
    "SignForm",
    "StepEnv",
    "StepForm",
    "VerificationForm",
    "esign_available",
    "form_for",
]
