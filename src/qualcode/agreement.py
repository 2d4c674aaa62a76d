"""Inter-coder agreement.

Owned by a helper; replace this stub."""

from __future__ import annotations

from typing import Any

def percent_agreement(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("percent_agreement")


def cohen_kappa(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("cohen_kappa")


def scott_pi(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("scott_pi")


def fleiss_kappa(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("fleiss_kappa")


def brennan_prediger(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("brennan_prediger")


def gwet_ac1(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("gwet_ac1")


def gwet_ac2(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("gwet_ac2")


def krippendorff_alpha(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("krippendorff_alpha")


def unitized_alpha(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("unitized_alpha")


def reliability_data(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("reliability_data")


def agreement_table(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("agreement_table")


def disagreements(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("disagreements")


def resolve_disagreements(*args: Any, **kwargs: Any) -> Any:
    raise NotImplementedError("resolve_disagreements")


