"""/status: the whole object; an update keeps everything but the status
(the strategy's ``prepare_for_status_update`` says how)."""
from resources.subresources.base import Subresource


class Status(Subresource):
    def prepare(self, strategy, new, current, ctx):
        strategy.prepare_for_status_update(new, current, ctx)


STATUS = Status("status")
