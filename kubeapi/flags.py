"""kube-apiserver-style flags of ``manage.py serve``.

Flags that configure Django (database, redis, ...) must be known before
settings load, so manage.py turns them into ``KUBEAPI_*`` environment
variables first; the same variables can be set directly. Which flag sets
which setting is the ``flag`` column of ``kubeapi.conf.SETTINGS``.
"""
import argparse

from kubeapi.conf import SETTINGS, env_name

# flag → setting name
SETTINGS_FLAGS = {setting.flag: name for name, setting in SETTINGS.items() if setting.flag}


def add_settings_flags(parser):
    for flag, name in SETTINGS_FLAGS.items():
        parser.add_argument(flag, default=None, help=SETTINGS[name].help)


def apply(argv, environ):
    """Copy settings flags given to ``serve`` into the environment."""
    if len(argv) < 2 or argv[1] != "serve":
        return
    parser = argparse.ArgumentParser(add_help=False)
    add_settings_flags(parser)
    known, _ = parser.parse_known_args(argv[2:])
    for flag, name in SETTINGS_FLAGS.items():
        value = getattr(known, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            environ[env_name(name)] = value
