"""What a start takes from the state folder and leaves in it: the administrator's access key always,
and with `persist` (`--persist`) the snapshot of the stack's data (`samlite.persistence`).

Without `persist` every step but the key's is a no-op, so the local cloud calls them in order without
asking: `SavedState(options, log)` (before the endpoint: a corrupt snapshot stops the start before
anything runs), `keep_admin_key`, `check` (before provisioning), `restore` (after provisioning, before
events are wired), `resume_events` (once they are), `resume_mappings` (the event-source pollers
built, not started), `start_autosave` (once ready); on stop,
`hold_events` (the async events the stop dropped) then `close` (the last snapshot).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from samlite.model import AwsApi, Credentials, Resource
from samlite.persistence.credentials import load_admin_key, save_admin_key
from samlite.persistence.options import PersistOptions
from samlite.services.awslambda.async_queue import AsyncEvent, AsyncInvoker
from samlite.services.awslambda.event_sources.pollers import EventSources

if TYPE_CHECKING:
    from samlite.persistence.async_events import Resolve
    from samlite.persistence.persister import Persister


class SavedState:
    """The state folder of one start (see the module docstring)."""

    def __init__(
        self,
        state_dir: Path,
        stack_name: str,
        region: str,
        persist: PersistOptions | None,
        log: Callable[[str], None],
    ) -> None:
        self._state_dir, self._stack_name = Path(state_dir), stack_name
        # The administrator keeps the key an earlier start of this stack handed out (clients hold it).
        self.admin_key: Credentials | None = load_admin_key(self._state_dir, stack_name)
        self.persister: Persister | None = None
        if persist is not None:
            # The persister and every service's snapshot code are imported only for `persist`.
            from samlite.persistence.persister import Persister
            from samlite.persistence.state_folder import state_folder_of

            folder = state_folder_of(self._state_dir)
            self.persister = Persister(folder, persist, stack_name=stack_name, region=region, log=log).open()

    def keep_admin_key(self, aws: AwsApi) -> None:
        if self.admin_key != aws.admin_credentials:
            save_admin_key(self._state_dir, self._stack_name, aws.admin_credentials)
            self.admin_key = aws.admin_credentials

    def check(self, resources: Sequence[Resource]) -> None:
        if self.persister is not None:
            self.persister.check(resources)

    def restore(self, aws: AwsApi) -> None:
        if self.persister is not None:
            self.persister.restore(aws)

    def resume_events(self, invoker: AsyncInvoker, resolve: Resolve) -> None:
        if self.persister is not None:
            self.persister.resume_events(invoker, resolve)

    def resume_mappings(self, sources: EventSources) -> None:
        if self.persister is not None:
            self.persister.resume_mappings(sources)

    def start_autosave(self, aws: AwsApi) -> None:
        if self.persister is not None:
            self.persister.start_autosave(aws)

    def hold_events(self, events: list[AsyncEvent]) -> None:
        if self.persister is not None:
            self.persister.hold_events(events)

    def close(self) -> None:
        persister, self.persister = self.persister, None
        if persister is not None:
            persister.close()
