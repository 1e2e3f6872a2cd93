"""networking.k8s.io/v1: Ingresses, IngressClasses, NetworkPolicies
(``pkg/apis/networking/validation``)."""
import ipaddress

from resources.machinery import validation
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.subresources.status import STATUS
from resources.kinds.core import (
    PORT_PROTOCOLS, BuiltinStrategy, _is_int, _table, dns1123_subdomain, forbidden, immutable, invalid,
    is_dns1035_label, is_valid_port_name, is_valid_port_num, not_supported, port_num_or_name,
    required, spec_of, validate_label_selector,
)

PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
POLICY_TYPES = ("Ingress", "Egress")
PARAMETER_SCOPES = ("Cluster", "Namespace")


def _is_ip(value):
    try:
        ipaddress.ip_address(value)
        return True
    except ValueError:
        return False


def _validate_host(host, path):
    if _is_ip(host):
        return [invalid(path, host, "must be a DNS name, not an IP address")]
    if host.startswith("*."):
        msgs = validation.is_dns1123_subdomain(host[2:])
        if msgs:
            return [invalid(path, host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid "
                                        "DNS subdomain, which must consist of lower case alphanumeric characters, "
                                        "'-' or '.' and end with an alphanumeric character (e.g. '*.example.com', "
                                        "regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]"
                                        "([-a-z0-9]*[a-z0-9])?)*')")]
        return []
    return dns1123_subdomain(host, path)


def _validate_backend(backend, path):
    if not isinstance(backend, dict):
        return [invalid(path, "", "resource or service backend is required")]
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        return [invalid(path, "", "cannot set both resource and service backends")]
    errs = []
    if resource is not None:
        if not (resource or {}).get("kind"):
            errs.append(required(f"{path}.resource.kind"))
        if not (resource or {}).get("name"):
            errs.append(required(f"{path}.resource.name"))
        return errs
    if service is not None:
        service = service if isinstance(service, dict) else {}
        name = service.get("name") or ""
        if not name:
            errs.append(required(f"{path}.service.name"))
        else:
            errs += [invalid(f"{path}.service.name", name, m) for m in is_dns1035_label(name)]
        port = service.get("port") if isinstance(service.get("port"), dict) else {}
        has_name, has_number = bool(port.get("name")), bool(port.get("number"))
        if has_name and has_number:
            errs.append(invalid(path, "", "cannot set both port name & port number"))
        elif has_name:
            errs += [invalid(f"{path}.service.port.name", port["name"], m) for m in is_valid_port_name(port["name"])]
        elif has_number:
            errs += [invalid(f"{path}.service.port.number", port["number"], m) for m in is_valid_port_num(port["number"])]
        else:
            errs.append(required(path, "port name or number is required"))
        return errs
    return [invalid(path, "", "resource or service backend is required")]


class IngressStrategy(BuiltinStrategy):
    group = "networking.k8s.io"
    kind = "Ingress"
    defaulter = staticmethod(defaults.ingress)
    has_status = True
    initial_status = {"loadBalancer": {}}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        rules = spec.get("rules") or []
        if not rules and spec.get("defaultBackend") is None:
            errs.append(invalid("spec", rules or None, "either `defaultBackend` or `rules` must be specified"))
        if spec.get("defaultBackend") is not None:
            errs += _validate_backend(spec["defaultBackend"], "spec.defaultBackend")
        for i, rule in enumerate(rules):
            rpath = f"spec.rules[{i}]"
            if not isinstance(rule, dict):
                errs.append(invalid(rpath, rule, "must be an object"))
                continue
            if rule.get("host"):
                errs += _validate_host(rule["host"], f"{rpath}.host")
            http = rule.get("http")
            if http is None:
                continue
            paths = (http or {}).get("paths") if isinstance(http, dict) else None
            if not paths:
                errs.append(required(f"{rpath}.http.paths"))
            for j, path in enumerate(paths or []):
                ppath = f"{rpath}.http.paths[{j}]"
                if not isinstance(path, dict):
                    continue
                path_type = path.get("pathType")
                if not path_type:
                    errs.append(required(f"{ppath}.pathType", "pathType must be specified"))
                elif path_type not in PATH_TYPES:
                    errs.append(not_supported(f"{ppath}.pathType", path_type, PATH_TYPES))
                elif path_type in ("Exact", "Prefix"):
                    value = path.get("path") or ""
                    if not value.startswith("/"):
                        errs.append(invalid(f"{ppath}.path", value, "must be an absolute path"))
                elif path.get("path") and not path["path"].startswith("/"):
                    errs.append(invalid(f"{ppath}.path", path["path"], "must be an absolute path"))
                errs += _validate_backend(path.get("backend"), f"{ppath}.backend")
        for i, tls in enumerate(spec.get("tls") or []):
            for j, host in enumerate((tls or {}).get("hosts") or [] if isinstance(tls, dict) else []):
                if isinstance(host, str):
                    errs += _validate_host(host, f"spec.tls[{i}].hosts[{j}]")
        if spec.get("ingressClassName"):
            errs += dns1123_subdomain(spec["ingressClassName"], "spec.ingressClassName")
        return errs

    def validate_status_update(self, obj, old, ctx):
        errs = []
        for i, ingress in enumerate(((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []):
            if isinstance(ingress, dict) and ingress.get("ip") and not _is_ip(ingress["ip"]):
                errs.append(invalid(f"status.loadBalancer.ingress[{i}].ip", ingress["ip"], "must be a valid IP address"))
        return errs


class IngressClassStrategy(BuiltinStrategy):
    group = "networking.k8s.io"
    kind = "IngressClass"
    defaulter = staticmethod(defaults.ingress_class)

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        controller = spec.get("controller") or ""
        if not controller:
            errs.append(required("spec.controller"))
        elif len(controller) > 250:
            errs.append(("spec.controller", "FieldValueTooLong", "Too long: must have at most 250 bytes"))
        params = spec.get("parameters")
        if isinstance(params, dict):
            ppath = "spec.parameters"
            if not params.get("kind"):
                errs.append(required(f"{ppath}.kind"))
            if not params.get("name"):
                errs.append(required(f"{ppath}.name"))
            scope = params.get("scope")
            if scope not in PARAMETER_SCOPES:
                errs.append(not_supported(f"{ppath}.scope", scope or "", PARAMETER_SCOPES))
            if scope == "Namespace" and not params.get("namespace"):
                errs.append(required(f"{ppath}.namespace", "`parameters.scope` is set to 'Namespace'"))
            if scope == "Cluster" and params.get("namespace") is not None:
                errs.append(forbidden(f"{ppath}.namespace", "`parameters.scope` is set to 'Cluster'"))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        return immutable("spec.controller", spec_of(obj).get("controller"), spec_of(old).get("controller"))


def _validate_peer(peer, path):
    if not isinstance(peer, dict):
        return [invalid(path, peer, "must be an object")]
    errs = []
    selectors = [k for k in ("podSelector", "namespaceSelector") if peer.get(k) is not None]
    for key in selectors:
        errs += validate_label_selector(peer[key], f"{path}.{key}")
    block = peer.get("ipBlock")
    if block is not None:
        if selectors:
            errs.append(forbidden(path, "may not specify both ipBlock and another peer"))
        cidr = (block or {}).get("cidr") or ""
        if not cidr:
            errs.append(required(f"{path}.ipBlock.cidr"))
        else:
            try:
                network = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                errs.append(invalid(f"{path}.ipBlock.cidr", cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
                network = None
            for i, exc in enumerate((block or {}).get("except") or []):
                try:
                    inner = ipaddress.ip_network(exc, strict=False)
                except ValueError:
                    errs.append(invalid(f"{path}.ipBlock.except[{i}]", exc, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
                    continue
                if network is not None and (inner.version != network.version or not inner.subnet_of(network)
                                            or inner.prefixlen <= network.prefixlen):
                    errs.append(invalid(f"{path}.ipBlock.except[{i}]", exc, "must be a strict subset of `cidr`"))
    elif not selectors:
        errs.append(required(path, "must specify a peer"))
    return errs


def _validate_policy_port(port, path):
    if not isinstance(port, dict):
        return [invalid(path, port, "must be an object")]
    errs = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in PORT_PROTOCOLS:
        errs.append(not_supported(f"{path}.protocol", protocol, PORT_PROTOCOLS))
    if port.get("port") is not None:
        errs += port_num_or_name(port["port"], f"{path}.port")
    end = port.get("endPort")
    if end is not None:
        if port.get("port") is None:
            errs.append(required(f"{path}.port", "must specify port when endPort is specified"))
        elif not _is_int(port["port"]):
            errs.append(forbidden(f"{path}.endPort", "may not be specified when `port` is non-numeric"))
        elif _is_int(end) and end < port["port"]:
            errs.append(invalid(f"{path}.endPort", end, "must be greater than or equal to `port`"))
    return errs


class NetworkPolicyStrategy(BuiltinStrategy):
    group = "networking.k8s.io"
    kind = "NetworkPolicy"
    defaulter = staticmethod(defaults.network_policy)

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = validate_label_selector(spec.get("podSelector") or {}, "spec.podSelector")
        for direction, peers_key in (("ingress", "from"), ("egress", "to")):
            for i, rule in enumerate(spec.get(direction) or []):
                rpath = f"spec.{direction}[{i}]"
                if not isinstance(rule, dict):
                    continue
                for j, port in enumerate(rule.get("ports") or []):
                    errs += _validate_policy_port(port, f"{rpath}.ports[{j}]")
                for j, peer in enumerate(rule.get(peers_key) or []):
                    errs += _validate_peer(peer, f"{rpath}.{peers_key}[{j}]")
        types = spec.get("policyTypes") or []
        if len(types) > 2:
            errs.append(invalid("spec.policyTypes", types, "may not specify more than two policyTypes"))
        else:
            for i, kind in enumerate(types):
                if kind not in POLICY_TYPES:
                    errs.append(not_supported(f"spec.policyTypes[{i}]", kind, POLICY_TYPES))
        return errs


def _types():
    types = [
        ResourceType(
            group="networking.k8s.io", version="v1", kind="Ingress", plural="ingresses", namespaced=True,
            strategy=IngressStrategy(), short_names=("ing",), subresources=(STATUS,), **_table("Ingress"),
        ),
        ResourceType(
            group="networking.k8s.io", version="v1", kind="IngressClass", plural="ingressclasses",
            namespaced=False, strategy=IngressClassStrategy(), **_table("IngressClass"),
        ),
        ResourceType(
            group="networking.k8s.io", version="v1", kind="NetworkPolicy", plural="networkpolicies",
            namespaced=True, strategy=NetworkPolicyStrategy(), short_names=("netpol",), **_table("NetworkPolicy"),
        ),
    ]
    return types


TYPES = tuple(_types())
