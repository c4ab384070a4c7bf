"""Rollout policy per municipality × department × document type (docs/architecture.md, "The letter state machine")."""

from services.ebox_bridge.policy.errors import PolicyError, PolicyLookupError, UnknownMunicipality
from services.ebox_bridge.policy.loader import parse_policy_yaml, policy_from_data
from services.ebox_bridge.policy.model import PolicyDocument, RolloutPolicy, RoutingRule

__all__ = [
    "PolicyDocument",
    "PolicyError",
    "PolicyLookupError",
    "RolloutPolicy",
    "RoutingRule",
    "UnknownMunicipality",
    "parse_policy_yaml",
    "policy_from_data",
]
