"""Static bearer tokens: kube-apiserver's ``--token-auth-file`` CSV format
(token,user,uid,"group1,group2"), re-read when the file changes."""
import csv
import os
import threading


from authz.user import UserInfo
from kubeapi.conf import conf

_lock = threading.Lock()
_cache = {}  # path → (mtime, {token: UserInfo})


def parse_token_file(path):
    tokens = {}
    with open(path, newline="") as fh:
        for lineno, row in enumerate(csv.reader(fh), 1):
            if not row or row[0].startswith("#"):
                continue
            if len(row) < 3:
                raise ValueError(f"{path}:{lineno}: need at least token,user,uid")
            token, name, uid = row[0].strip(), row[1].strip(), row[2].strip()
            groups = tuple(g.strip() for g in row[3].split(",") if g.strip()) if len(row) > 3 else ()
            if token:
                tokens[token] = UserInfo(name=name, uid=uid, groups=groups)
    return tokens


def token_files():
    files = [str(conf.var_dir / "tokens.csv")]
    if conf.token_auth_file:
        files.append(conf.token_auth_file)
    return files


def lookup(token):
    for path in token_files():
        try:
            mtime = os.stat(path).st_mtime_ns
        except FileNotFoundError:
            continue
        cached = _cache.get(path)
        if cached is None or cached[0] != mtime:
            with _lock:
                cached = (mtime, parse_token_file(path))
                _cache[path] = cached
        user = cached[1].get(token)
        if user is not None:
            return user
    return None
