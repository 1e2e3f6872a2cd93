"""Cluster IPs of Services, as the service REST storage allocates them
upstream (not an admission plugin there, so not selectable by flags here)."""
import ipaddress
import json
import random

from kubeapi.conf import conf
from resources.machinery import errors
from resources.store import storage


def service_range():
    return ipaddress.ip_network(conf.service_cluster_ip_range, strict=False)


def _allocated_ips(tenant):
    result = storage.list(tenant, "", "services", None)
    ips = set()
    for data in result.items:
        spec = json.loads(data).get("spec") or {}
        ips.update(spec.get("clusterIPs") or [spec.get("clusterIP")])
    return ips


def allocate_cluster_ip(rtype, ctx, obj, old):
    """Allocate spec.clusterIP from --service-cluster-ip-range, as the
    service REST storage does: random free address, the first one (.1) is
    reserved for the ``kubernetes`` service."""
    spec = obj.setdefault("spec", {})
    if old is not None:
        # clusterIP is immutable; carry it over when the client left it out.
        old_spec = old.get("spec") or {}
        if spec.get("type") == "ExternalName" or old_spec.get("type") == "ExternalName":
            return  # ExternalName has no cluster IP to carry either way
        if not spec.get("clusterIP") and old_spec.get("clusterIP"):
            spec["clusterIP"] = old_spec["clusterIP"]
            spec["clusterIPs"] = old_spec.get("clusterIPs") or [old_spec["clusterIP"]]
        return
    if spec.get("type") == "ExternalName":
        return
    requested = spec.get("clusterIP") or ((spec.get("clusterIPs") or [None])[0])
    if requested == "None":
        spec["clusterIP"] = "None"
        spec["clusterIPs"] = ["None"]
        return
    network = service_range()
    taken = _allocated_ips(ctx.tenant)
    if requested:
        try:
            address = ipaddress.ip_address(requested)
        except ValueError:
            return  # the strategy's validation reports the bad value
        if address not in network:
            raise errors.invalid("", "Service", obj["metadata"].get("name", ""), [(
                "spec.clusterIPs", "FieldValueInvalid",
                f'Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: '
                f"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {network}",
            )])
        if requested in taken:
            raise errors.invalid("", "Service", obj["metadata"].get("name", ""), [(
                "spec.clusterIPs", "FieldValueInvalid",
                f'Invalid value: []string{{"{requested}"}}: failed to allocate IP {requested}: provided IP is already allocated',
            )])
        ip = requested
    else:
        size = network.num_addresses
        for _ in range(64):
            candidate = str(network[random.randrange(2, size - 1)])
            if candidate not in taken:
                ip = candidate
                break
        else:
            raise errors.APIError(500, "InternalError", "Internal error occurred: failed to allocate a serviceIP: range is full")
    spec["clusterIP"] = ip
    spec["clusterIPs"] = [ip]
