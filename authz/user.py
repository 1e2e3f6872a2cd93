"""user.Info: who a request is, as Kubernetes sees it."""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserInfo:
    name: str
    uid: str = ""
    groups: tuple = ()
    extra: dict = field(default_factory=dict)

    # DRF asks these of request.user.
    is_authenticated = True
    is_active = True

    def in_group(self, group):
        return group in self.groups
