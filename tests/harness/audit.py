"""A server that writes an audit log, and reading a request's events from it."""
import json

import yaml

from tests.conftest import start_server, wait_for


def start_audited_server(tmp, policy, extra_args=()):
    """``manage.py serve`` auditing by ``policy`` (an audit.k8s.io/v1 Policy
    as a dict) into ``tmp/logs/audit.log``; returns (server, log, stop)."""
    policy_file = tmp / "policy.yaml"
    policy_file.write_text(yaml.safe_dump(policy))
    log = tmp / "logs" / "audit.log"
    server, stop = start_server(tmp, ["--audit-policy-file", str(policy_file), "--audit-log-path", str(log),
                                      "--threads", "4", *extra_args])
    return server, log, stop


def audit_events(log, audit_id, timeout):
    """The request's audit events, once its ResponseComplete one is written
    (the backend writes after the response), or all there are after ``timeout``."""
    def found():
        return [json.loads(line) for line in log.read_text().splitlines() if audit_id in line]

    wait_for(lambda: any(e["stage"] == "ResponseComplete" for e in found()), timeout=timeout, interval=0.05)
    return found()
