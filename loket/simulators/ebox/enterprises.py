"""Seeded enterprises: which have an eBox Enterprise, and their preferences.

The rules are the citizens' (a pure function of seed and number, admin activations on top);
only the identifier (KBO/BCE number), the eboxType and the share of digital ones differ.
"""

from __future__ import annotations

from stdnum.be import vat

from loket.simulators.ebox.citizens import Citizens
from loket.simulators.ebox.errors import invalid_input


def valid_enterprise_number(value: object) -> bool:
    # The registry takes the compact form only ([0-1][0-9]{9} in the reference), no `BE`.
    return isinstance(value, str) and len(value) == 10 and value.isdigit() and vat.is_valid(value)


def require_enterprise_number(value: object) -> str:
    if not valid_enterprise_number(value):
        raise invalid_input("eboxIdValue is not a valid enterprise (KBO/BCE) number")
    assert isinstance(value, str)
    return value


class Enterprises(Citizens):
    # The federation reference spells the enterprise eboxType in capitals (ebox-federation-1.3).
    ebox_type = "ENTERPRISE"
    purpose = "enterprise-active"
