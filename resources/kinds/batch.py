"""batch/v1: Jobs and CronJobs (``pkg/registry/batch/*/strategy.go``,
``pkg/apis/batch/validation``)."""
import copy
import re
import zoneinfo

from resources.machinery import validation
from resources.machinery.selectors import label_selector_matches
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.subresources.status import STATUS
from resources.kinds.core import (
    BuiltinStrategy, GoValue, _int_field, _is_int, _table, forbidden, go_label_selector, go_string_map,
    immutable, invalid, key_path, meta_of, non_negative, not_supported, required, spec_of,
    validate_label_selector, validate_pod_template_spec,
)

# The labels upstream generates for a Job's pods (and selects them by).
CONTROLLER_UID = "batch.kubernetes.io/controller-uid"
JOB_NAME = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID = "controller-uid"
LEGACY_JOB_NAME = "job-name"

COMPLETION_MODES = ("NonIndexed", "Indexed")
POD_REPLACEMENT_POLICIES = ("TerminatingOrFailed", "Failed")
MAX_PARALLELISM_INDEXED = 100000
TEMPLATE_VALUE = GoValue("core.PodTemplateSpec{...}")


def generate_selector(job):
    """generateSelector: label the pod template with the job's uid and name
    and select on the uid, unless the user chose a manual selector."""
    spec = spec_of(job)
    meta = meta_of(job)
    template = spec.get("template")
    if not isinstance(template, dict):
        template = spec["template"] = {}
    tmeta = template.get("metadata")
    if not isinstance(tmeta, dict):
        tmeta = template["metadata"] = {}
    labels = tmeta.get("labels")
    if not isinstance(labels, dict):
        labels = tmeta["labels"] = {}
    for key in (LEGACY_JOB_NAME, JOB_NAME):
        labels.setdefault(key, meta.get("name") or "")
    for key in (LEGACY_CONTROLLER_UID, CONTROLLER_UID):
        labels.setdefault(key, meta.get("uid") or "")
    selector = spec.get("selector")
    if not isinstance(selector, dict):
        selector = spec["selector"] = {}
    match = selector.get("matchLabels")
    if not isinstance(match, dict):
        match = selector["matchLabels"] = {}
    match.setdefault(CONTROLLER_UID, meta.get("uid") or "")


def _has_label(template, key, expected, path):
    """ValidateHasLabel."""
    labels = ((template or {}).get("metadata") or {}).get("labels") or {}
    if key not in labels:
        return [required(key_path(f"{path}.labels", key), f"must be '{expected}'")]
    if labels[key] != expected:
        return [invalid(key_path(f"{path}.labels", key), GoValue(go_string_map(labels)), f"must be '{expected}'")]
    return []


def validate_job_spec_common(spec, path):
    """validateJobSpec: what a Job and a CronJob's job template share."""
    errs = []
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished",
                "backoffLimitPerIndex", "maxFailedIndexes"):
        if spec.get(key) is not None:
            errs += non_negative(spec[key], f"{path}.{key}")
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in COMPLETION_MODES:
            errs.append(not_supported(f"{path}.completionMode", mode, COMPLETION_MODES))
        if mode == "Indexed":
            if spec.get("completions") is None:
                errs.append(required(f"{path}.completions", "when completion mode is Indexed"))
            parallelism = spec.get("parallelism")
            if _is_int(parallelism) and parallelism > MAX_PARALLELISM_INDEXED:
                errs.append(invalid(f"{path}.parallelism", parallelism,
                                    f"must be less than or equal to {MAX_PARALLELISM_INDEXED} when completion mode is Indexed"))
    if spec.get("backoffLimitPerIndex") is not None and mode != "Indexed":
        errs.append(forbidden(f"{path}.backoffLimitPerIndex", "requires indexed completion mode"))
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        if replacement not in POD_REPLACEMENT_POLICIES:
            errs.append(not_supported(f"{path}.podReplacementPolicy", replacement, POD_REPLACEMENT_POLICIES))
        elif spec.get("podFailurePolicy") is not None and replacement != "Failed":
            errs.append(invalid(f"{path}.podReplacementPolicy", replacement,
                                "must be Failed when podFailurePolicy is specified"))
    template = spec.get("template")
    errs += validate_pod_template_spec(template, f"{path}.template")
    restart = ((template or {}).get("spec") or {}).get("restartPolicy") if isinstance(template, dict) else None
    rpath = f"{path}.template.spec.restartPolicy"
    if restart in ("Always", "", None):
        errs.append(required(rpath, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        errs.append(not_supported(rpath, restart, ["OnFailure", "Never"]))
    elif spec.get("podFailurePolicy") is not None and restart != "Never":
        errs.append(invalid(rpath, restart, 'only "Never" is supported when podFailurePolicy is specified'))
    return errs


class JobStrategy(BuiltinStrategy):
    group = "batch"
    kind = "Job"
    defaulter = staticmethod(defaults.job)
    has_status = True
    initial_status = {}

    def _generate(self, obj):
        meta = meta_of(obj)
        if not spec_of(obj).get("manualSelector") and meta.get("uid"):
            generate_selector(obj)
            # Upstream defaults again when it reads the object back: a Job
            # without labels takes its template's (now generated) labels.
            self.default(obj)

    def prepare_for_create(self, obj, ctx):
        super().prepare_for_create(obj, ctx)
        self._generate(obj)

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        meta = meta_of(obj)
        if not spec.get("manualSelector") and meta.get("uid") and CONTROLLER_UID not in (
                (spec.get("selector") or {}).get("matchLabels") or {}):
            self._generate(obj)  # the uid arrived after prepare_for_create
        errs = []
        template = spec.get("template")
        if not spec.get("manualSelector"):
            if not meta.get("uid"):
                errs.append(required("metadata.uid"))
            tpath = "spec.template.metadata"
            errs += _has_label(template, LEGACY_CONTROLLER_UID, meta.get("uid") or "", tpath)
            errs += _has_label(template, LEGACY_JOB_NAME, meta.get("name") or "", tpath)
            errs += _has_label(template, CONTROLLER_UID, meta.get("uid") or "", tpath)
            errs += _has_label(template, JOB_NAME, meta.get("name") or "", tpath)
            selector = spec.get("selector")
            if isinstance(selector, dict) and label_selector_matches(selector, {CONTROLLER_UID: meta.get("uid") or ""}) is False:
                errs.append(invalid("spec.selector", go_label_selector(selector), "`selector` not auto-generated"))
        errs += validate_job_spec_common(spec, "spec")
        selector = spec.get("selector")
        if selector is None:
            errs.append(required("spec.selector"))
        else:
            errs += validate_label_selector(selector, "spec.selector")
        labels = (((template or {}).get("metadata") or {}).get("labels")) if isinstance(template, dict) else None
        if isinstance(selector, dict) and label_selector_matches(selector, labels) is False:
            errs.append(invalid("spec.template.metadata.labels", GoValue(go_string_map(labels)),
                                "`selector` does not match template `labels`"))
        completions = spec.get("completions")
        if spec.get("completionMode") == "Indexed" and _is_int(completions) and completions > 0:
            hostname = f"{meta.get('name') or ''}-{completions - 1}"
            if validation.is_dns1123_label(hostname):
                errs.append(invalid("metadata.name", meta.get("name") or "",
                                    f"will not able to create pod with invalid DNS label: {hostname}"))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        spec, old_spec = spec_of(obj), spec_of(old)
        errs = []
        elastic = (spec.get("completionMode") == "Indexed" and old_spec.get("completionMode") == "Indexed"
                   and spec.get("completions") == spec.get("parallelism")
                   and old_spec.get("completions") == old_spec.get("parallelism"))
        if not elastic:
            errs += immutable("spec.completions", spec.get("completions"), old_spec.get("completions"))
        errs += immutable("spec.selector", spec.get("selector"), old_spec.get("selector"),
                          shown=go_label_selector(spec.get("selector")))
        template, old_template = spec.get("template"), copy.deepcopy(old_spec.get("template"))
        suspended = bool(old_spec.get("suspend"))
        not_started = not (old.get("status") or {}).get("startTime")
        if suspended and not_started and isinstance(template, dict) and isinstance(old_template, dict):
            # Scheduling directives of a suspended Job that never ran may change.
            new_pod, old_pod = template.get("spec") or {}, old_template.setdefault("spec", {})
            for key in ("nodeSelector", "tolerations", "schedulingGates"):
                if key in new_pod:
                    old_pod[key] = new_pod[key]
                else:
                    old_pod.pop(key, None)
            affinity = copy.deepcopy(old_pod.get("affinity")) or {}
            affinity.pop("nodeAffinity", None)
            if (new_pod.get("affinity") or {}).get("nodeAffinity") is not None:
                affinity["nodeAffinity"] = new_pod["affinity"]["nodeAffinity"]
            if affinity:
                old_pod["affinity"] = affinity
            else:
                old_pod.pop("affinity", None)
            old_meta = old_template.setdefault("metadata", {})
            for key in ("labels", "annotations"):
                if key in (template.get("metadata") or {}):
                    old_meta[key] = template["metadata"][key]
                else:
                    old_meta.pop(key, None)
        errs += immutable("spec.template", template, old_template, shown=TEMPLATE_VALUE)
        for key in ("completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"):
            errs += immutable(f"spec.{key}", spec.get(key), old_spec.get(key))
        return errs

    def validate_status_update(self, obj, old, ctx):
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        errs = []
        for key in ("active", "succeeded", "failed", "ready", "terminating"):
            errs += non_negative(status.get(key), f"status.{key}")
        return errs

    def warnings(self, obj, ctx):
        # WarningsOnCreate only: an update arrives with its resourceVersion.
        meta = meta_of(obj)
        name = meta.get("name") or ""
        msgs = validation.is_dns1123_label(name) if name and not meta.get("resourceVersion") else []
        if msgs:
            return [f"metadata.name: this is used in Pod names and hostnames, which can result in surprising "
                    f"behavior; a DNS label is recommended: [{' '.join(msgs)}]"]
        return []


# ------------------------------------------------------------------ cron
class CronError(ValueError):
    pass


_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                           "nov", "dec"))}
_DAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_BOUNDS = ((0, 59, None), (0, 23, None), (1, 31, None), (1, 12, _MONTHS), (0, 6, _DAYS))
_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")


def _atoi(expr):
    if not re.fullmatch(r"[+-]?\d+", expr):
        raise CronError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    number = int(expr)
    if number < 0:
        raise CronError(f"negative number ({number}) not allowed: {expr}")
    return number


def _cron_range(expr, low, high, names):
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    if low_and_high[0] in ("*", "?"):
        start, end = low, high
    else:
        def value(text):
            if names and text.lower() in names:
                return names[text.lower()]
            return _atoi(text)

        start = value(low_and_high[0])
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = value(low_and_high[1])
        else:
            raise CronError(f"too many hyphens: {expr}")
    step = 1
    if len(range_and_step) == 2:
        step = _atoi(range_and_step[1])
        if len(low_and_high) == 1:
            end = high
    elif len(range_and_step) > 2:
        raise CronError(f"too many slashes: {expr}")
    if start < low:
        raise CronError(f"beginning of range ({start}) below minimum ({low}): {expr}")
    if end > high:
        raise CronError(f"end of range ({end}) above maximum ({high}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")


def parse_cron(schedule):
    """robfig/cron's ParseStandard: raises CronError with its message."""
    if not schedule:
        raise CronError("empty spec string")
    spec = schedule
    if spec.startswith("TZ=") or spec.startswith("CRON_TZ="):
        space = spec.find(" ")
        location = spec[spec.index("=") + 1:space if space >= 0 else len(spec)]
        try:
            zoneinfo.ZoneInfo(location)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise CronError(f"provided bad location {location}: unknown time zone {location}")
        spec = spec[space:].strip() if space >= 0 else ""
    if spec.startswith("@"):
        if spec in _DESCRIPTORS:
            return
        if spec.startswith("@every "):
            duration = spec[len("@every "):]
            if not _DURATION.match(duration):
                raise CronError(f'failed to parse duration {spec}: time: invalid duration "{duration}"')
            return
        raise CronError(f"unrecognized descriptor: {spec}")
    fields = spec.split()
    if len(fields) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    for field, (low, high, names) in zip(fields, _BOUNDS):
        for expr in field.split(","):
            _cron_range(expr, low, high, names)


_TIME_ZONE_PART = re.compile(r"^[A-Za-z\.\-_0-9+]{1,14}$")


def _validate_time_zone(time_zone, path):
    if time_zone is None:
        return []
    if time_zone == "":
        return [invalid(path, "", "timeZone must be nil or non-empty string")]
    for part in time_zone.split("/"):
        if part in (".", "..") or part.startswith("-") or not _TIME_ZONE_PART.match(part):
            return [invalid(path, time_zone, f"unknown time zone {time_zone}")]
    errs = []
    if time_zone.lower() == "local":
        errs.append(invalid(path, time_zone, "timeZone must be an explicit time zone as defined in "
                                             "https://www.iana.org/time-zones"))
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errs.append(invalid(path, time_zone, f"unknown time zone {time_zone}"))
    return errs


CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")


class CronJobStrategy(BuiltinStrategy):
    group = "batch"
    kind = "CronJob"
    defaulter = staticmethod(defaults.cron_job)
    has_status = True
    initial_status = {}

    def _validate_spec(self, spec, old_spec):
        errs = []
        schedule = spec.get("schedule") or ""
        if not schedule:
            errs.append(required("spec.schedule"))
        else:
            try:
                parse_cron(schedule)
            except CronError as exc:
                errs.append(invalid("spec.schedule", schedule, str(exc)))
            allow_tz = old_spec is not None and "TZ" in (old_spec.get("schedule") or "")
            if allow_tz and "TZ" in schedule and spec.get("timeZone") is not None:
                errs.append(invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
            elif not allow_tz and "TZ" in schedule:
                errs.append(invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
        errs += non_negative(spec.get("startingDeadlineSeconds"), "spec.startingDeadlineSeconds")
        if old_spec is None or old_spec.get("timeZone") != spec.get("timeZone"):
            errs += _validate_time_zone(spec.get("timeZone"), "spec.timeZone")
        policy = spec.get("concurrencyPolicy")
        if not policy:
            errs.append(required("spec.concurrencyPolicy"))
        elif policy not in CONCURRENCY_POLICIES:
            errs.append(not_supported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
        job_template = spec.get("jobTemplate") if isinstance(spec.get("jobTemplate"), dict) else {}
        job_spec = job_template.get("spec") if isinstance(job_template.get("spec"), dict) else {}
        errs += validate_job_spec_common(job_spec, "spec.jobTemplate.spec")
        if job_spec.get("selector") is not None:
            errs.append(invalid("spec.jobTemplate.spec.selector", go_label_selector(job_spec["selector"]),
                                "`selector` will be auto-generated"))
        if job_spec.get("manualSelector"):
            errs.append(not_supported("spec.jobTemplate.spec.manualSelector", True, ["nil", "false"]))
        for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
            errs += non_negative(spec.get(key), f"spec.{key}")
        return errs

    def validate(self, obj, ctx):
        errs = self._validate_spec(spec_of(obj), None)
        name = meta_of(obj).get("name") or ""
        if len(name) > 52:
            errs.append(invalid("metadata.name", name, "must be no more than 52 characters"))
        return errs

    def validate_update(self, obj, old, ctx):
        if ctx is not None and getattr(ctx, "subresource", "") == "status":
            return []
        return self._validate_spec(spec_of(obj), spec_of(old))


def _types():
    types = [
        ResourceType(
            group="batch", version="v1", kind="Job", plural="jobs", namespaced=True,
            strategy=JobStrategy(), categories=("all",), subresources=(STATUS,),
            selectable_fields={"status.successful": _int_field("status", "succeeded")},
            **_table("Job"),
        ),
        ResourceType(
            group="batch", version="v1", kind="CronJob", plural="cronjobs", namespaced=True,
            strategy=CronJobStrategy(), short_names=("cj",), categories=("all",), subresources=(STATUS,),
            **_table("CronJob"),
        ),
    ]
    return types


TYPES = tuple(_types())
