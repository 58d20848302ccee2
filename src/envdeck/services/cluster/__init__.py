"""Several instances on one storage: the instance registry (and, as they come, leases)."""

from envdeck.services.cluster.registry import InstanceListing, InstanceRegistry, ListedInstance

__all__ = ["InstanceListing", "InstanceRegistry", "ListedInstance"]
