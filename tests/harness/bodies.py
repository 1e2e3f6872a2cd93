"""Hostile request bodies the tests and benchmarks send."""


def yaml_bomb():
    """A ~540-byte "billion laughs": 9 levels of 9 aliases, 9^9 strings."""
    lines = ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata: {}',
             'a: &a ["' + '","'.join(["lol" * 6] * 9) + '"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join(["*" + prev] * 9) + "]")
        prev = name
    return ("\n".join(lines) + "\n").encode()
