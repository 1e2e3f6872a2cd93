"""kubeapi.conf: every setting from its KUBEAPI_* variable, typed, with
upstream's meaning of an unset flag; a malformed value is named."""
import pytest

from kubeapi.conf import SETTINGS, Conf, go_duration, seconds
from kubeapi.flags import SETTINGS_FLAGS


def test_values_defaults_and_derived(monkeypatch, tmp_path):
    monkeypatch.setenv("KUBEAPI_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("KUBEAPI_WATCH_QUEUE_LENGTH", "7")
    monkeypatch.setenv("KUBEAPI_SERVICE_ACCOUNT_ISSUER", "https://a, https://b")
    monkeypatch.delenv("KUBEAPI_CLIENT_CA_FILE", raising=False)
    monkeypatch.delenv("KUBEAPI_API_AUDIENCES", raising=False)
    conf = Conf()
    assert conf.watch_queue_length == 7 and conf.max_watches_per_user == 1000
    assert conf.audiences == ["https://a", "https://b"]  # default: the issuers
    assert conf.client_ca == str(tmp_path / "ca.crt")
    monkeypatch.setenv("KUBEAPI_CLIENT_CA_FILE", "")
    conf.reload()
    assert conf.client_ca == ""  # "" turns client certificates off
    with pytest.raises(AttributeError):
        conf.no_such_setting


def test_a_malformed_value_names_its_variable_and_flag(monkeypatch):
    monkeypatch.setenv("KUBEAPI_SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION", "soon")
    with pytest.raises(ValueError, match=r"KUBEAPI_SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION "
                                         r"\(--service-account-max-token-expiration\): invalid value 'soon'"):
        Conf().service_account_max_token_expiration


def test_durations_as_go_parses_them():
    assert go_duration("1m30s") == 90 and go_duration("500ms") == 0.5 and go_duration("0") == 0
    with pytest.raises(ValueError, match='time: invalid duration "60"'):
        go_duration("60")  # a Go duration needs its unit
    assert seconds("3600") == 3600 and seconds("48h") == 172800 and seconds("") == 0


def test_every_flag_sets_a_setting():
    assert SETTINGS_FLAGS["--request-timeout"] == "request_timeout"
    assert all(SETTINGS[name].flag == flag for flag, name in SETTINGS_FLAGS.items())
