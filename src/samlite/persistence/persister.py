"""`Persister`: `--persist` from start to stop, for the local cloud.

The order, as the local cloud calls it:
1. `open()` (before the endpoint starts): holds the state folder, applies `--reset-state`, reads and
   checks the snapshot (a corrupt one, or one of another format version, stops the start here with
   one line naming the file and `--reset-state`);
2. `check(stack)` (before provisioning): reconciles the snapshot with the template (see `reconcile`):
   a table whose keys changed stops the start before anything is created;
3. `restore(aws, stack)` (after provisioning, before events are wired and before `samlite ready`):
   puts every saved resource's content back, recreating what the template no longer declares;
4. `start_autosave(aws, stack)`: a snapshot every `interval` seconds (only files whose content
   changed are written; nothing at all when nothing changed);
5. `close()` (on stop, before the resources are removed): one last snapshot, then the folder is let go.

What a `kill -9` loses is what changed since the last snapshot: at most `interval` seconds of work
(5 s by default, `--persist-interval`), plus the snapshot being written when the kill came (the
previous one stays whole: see `state_folder`).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from samlite.errors import StateError
from samlite.model import AwsApi, Resource
from samlite.persistence.async_events import AsyncEventsSection, Resolve
from samlite.persistence.dynamodb import DynamoDbSection
from samlite.persistence.kinesis import KinesisSection
from samlite.persistence.mapping_positions import MappingPositionsSection
from samlite.persistence.options import PersistOptions
from samlite.persistence.reconcile import Plan, plan, template_names
from samlite.persistence.s3 import S3Section
from samlite.persistence.secretsmanager import SecretsManagerSection
from samlite.persistence.section import CaptureContext, RestoreContext, SavedResource, Section
from samlite.persistence.sns import SnsSection
from samlite.persistence.sqs import SqsSection
from samlite.persistence.ssm import SsmSection
from samlite.persistence.state_folder import MANIFEST, RESET_HINT, Snapshot, SnapshotInfo, StateFolder
from samlite.services.awslambda.async_queue import AsyncEvent, AsyncInvoker
from samlite.services.awslambda.event_sources.pollers import EventSources

Log = Callable[[str], None]


def all_sections() -> list[Section]:
    """Every service's section, in restore order (queues before the topics that deliver to them and
    the buckets that notify them)."""
    return [
        SsmSection(),
        SecretsManagerSection(),
        SqsSection(),
        SnsSection(),
        DynamoDbSection(),
        KinesisSection(),
        S3Section(),
    ]


@dataclass(frozen=True)
class SaveReport:
    """What one snapshot did: whether it wrote anything, and how long it took."""

    written: bool
    seconds: float


class Persister:
    """The state folder of one local cloud while it runs (see the module docstring)."""

    def __init__(
        self,
        folder: Path,
        options: PersistOptions,
        *,
        stack_name: str,
        region: str,
        log: Log,
        sections: Sequence[Section] | None = None,
    ) -> None:
        self.options = options
        self._folder = StateFolder(folder)
        self._stack_name = stack_name
        self._region = region
        self._log = log
        self._events = AsyncEventsSection()
        # Mapping positions are captured after the streams' records: a record saved and done by then
        # is not delivered again (a position past the saved records is taken back to the last one).
        self._positions = MappingPositionsSection()
        chosen = sections if sections is not None else all_sections()
        self._sections = [*chosen, self._positions, self._events]
        self._snapshot: Snapshot | None = None
        self._plan: Plan | None = None
        self._aws: AwsApi | None = None
        self._logical_ids: dict[tuple[str, str], str] = {}
        self._save_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        self._recreated: list[tuple[str, str]] = []
        self.last_save: SaveReport | None = None

    @property
    def path(self) -> Path:
        return self._folder.path

    def open(self) -> Persister:
        self._folder.open()
        try:
            if self.options.reset_state and self._folder.exists():
                removed = self._folder.reset()
                self._log(f"saved state: --reset-state discarded {self.path} ({removed} files)")
            self._snapshot = self._folder.load(section.name for section in self._sections)
            if self._snapshot is not None:
                self._check_owner(self._snapshot.info)
        except BaseException:
            self._folder.close()
            raise
        return self

    def check(self, resources: Sequence[Resource]) -> None:
        """Reconcile the snapshot with the template (raises StateError when it cannot go in)."""
        self._logical_ids = {
            key: resource.logical_id for key, resource in template_names(self._sections, resources).items()
        }
        if self._snapshot is None:
            return
        self._plan = plan(
            self._snapshot,
            self._sections,
            resources,
            manifest=self.path / MANIFEST,
            removed=self.options.removed_resources,
            reset=self.options.reset_resources,
        )

    def restore(self, aws: AwsApi) -> None:
        """Put the snapshot's content into the embedded AWS (after provisioning)."""
        self._aws = aws
        snapshot, decided = self._snapshot, self._plan
        if snapshot is None or decided is None:
            self._log(f"saved state: none yet in {self.path}; starting empty")
            return
        started = time.perf_counter()
        context = RestoreContext(aws=aws, folder=self._folder, decide=decided.decide, log=self._log)
        for section in self._sections:
            content = snapshot.sections.get(section.name)
            if content is not None:
                section.restore(context, content)
        for line in decided.report(self.options.removed_resources):
            self._log(line)
        restored = ", ".join(context.summary) or "nothing"
        self._log(
            f"saved state: restored {restored} from {self.path} (saved {snapshot.saved_at}) in "
            f"{time.perf_counter() - started:.2f} s"
        )
        self._recreated = decided.recreated()
        for saved in decided.removed:  # kept: still the template's once, and reported so at every start
            if decided.decide(saved.type, saved.name) == "recreate" and saved.logical_id is not None:
                self._logical_ids.setdefault((saved.type, saved.name), saved.logical_id)
        self._snapshot = None  # its content is in moto now; free it

    def resume_events(self, invoker: AsyncInvoker, resolve: Resolve) -> None:
        """Queue the saved async events again (once the event wiring runs); the snapshot now keeps
        the invoker's outstanding events."""
        submitted = self._events.resubmit(invoker, resolve, self._log)
        if submitted:
            self._log(f"saved state: {submitted} async event(s) queued again for delivery")

    def resume_mappings(self, sources: EventSources) -> None:
        """Give the stream mappings their saved positions, before their first poll; the snapshot now
        keeps the pollers' own."""
        resumed = self._positions.resume(sources, self._log)
        if resumed:
            self._log(f"saved state: {resumed} event-source mapping(s) read on from their saved positions")

    def hold_events(self, events: list[AsyncEvent]) -> None:
        """The async events the stop dropped before they ran: kept by the last snapshot."""
        self._events.hold(events)
        if events:
            self._log(f"saved state: {len(events)} async event(s) not run yet kept for the next start")

    def start_autosave(self, aws: AwsApi) -> None:
        self._aws = aws
        thread = threading.Thread(target=self._autosave, name="samlite-persist", daemon=True)
        self._thread = thread
        thread.start()

    def save(self) -> SaveReport:
        """Take a snapshot now (the autosave thread and the final save both come here)."""
        aws = self._aws
        if aws is None:
            raise StateError("nothing to save: the local cloud is not started")
        with self._save_lock:
            started = time.perf_counter()
            context = CaptureContext(aws=aws, folder=self._folder, logical_ids=self._logical_ids)
            sections = {section.name: section.capture(context) for section in self._sections}
            info = SnapshotInfo(self._stack_name, self._region, aws.account_id)
            written = self._folder.commit(info, sections, context.blobs)
            report = SaveReport(written, time.perf_counter() - started)
            self.last_save = report
            return report

    def close(self) -> None:
        """The last snapshot (when the cloud got as far as restoring), then let the folder go."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        try:
            if thread is not None:
                thread.join()
                report = self.save()
                self._log(f"saved state: {self.path} saved in {report.seconds:.2f} s")
        finally:
            self._discard_recreated()
            self._folder.close()

    def _discard_recreated(self) -> None:
        aws, recreated, self._recreated = self._aws, self._recreated, []
        if aws is None:
            return
        by_type = {type_: section for section in self._sections for type_ in section.types}
        for type_, name in recreated:
            with contextlib.suppress(Exception):  # gone already (deleted through the API): nothing to do
                by_type[type_].discard(aws, SavedResource(type_, name, None))

    def _autosave(self) -> None:
        while not self._stopping.wait(self.options.interval):
            try:
                self.save()
            except Exception as error:  # a full disk must not stop the cloud; it is said once
                if not self._failing:
                    self._log(
                        f"saved state: cannot save to {self.path}: {error}; retrying every "
                        f"{self.options.interval:g} s"
                    )
                self._failing = True
            else:
                if self._failing:
                    self._log(f"saved state: saving to {self.path} works again")
                self._failing = False

    def _check_owner(self, info: SnapshotInfo) -> None:
        if (info.stack, info.region) != (self._stack_name, self._region):
            raise StateError(
                f"saved state {self.path / MANIFEST} belongs to stack {info.stack!r} in {info.region}, "
                f"not {self._stack_name!r} in {self._region}: give this stack another --state-dir, or "
                f"{RESET_HINT}"
            )
