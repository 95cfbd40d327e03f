"""Parse large v2 pages in worker processes, off the reader's GIL.

Decoding a page's JSON and building its rows are most of the reader's CPU; in the fetching
threads they all queue for one GIL, so ``--parallel`` stops scaling at about one core. This
module holds both sides: ``ParsePool`` (in the reader's process) sends a page's bytes to an
idle worker and gets back its rows, and ``serve_page_rows`` is the worker's loop. Workers
receive page bodies only: never a token, a header or a URL.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import time
from typing import BinaryIO, Callable, Sequence

from migrator.v2 import wire

log = logging.getLogger("migrator.v2.reader")

# Pages at least this large are parsed by a ParsePool worker once the pool runs; a full page of
# Files is about 750 kB, a navigation page of a few keys a few kB.
OFFLOAD_MIN_BYTES = 64 * 1024


# The worker program: the reader's import path, then the loop. It is started with subprocess
# (fork + exec of a fresh interpreter), so nothing of this process is copied mid-flight: other
# threads (a sandbox run in-process, logging) cannot leave a lock held in it, and the caller's
# __main__ is never imported again, as multiprocessing's spawn and forkserver workers do. The
# one process imports the parser once and forks the other workers from itself
# (serve_page_rows_forked), where forking is safe: it has no other thread.
_WORKER_PROGRAM = """\
import pickle, sys
sys.path[:] = pickle.load(sys.stdin.buffer)
from migrator.v2.parsepool import serve_page_rows_forked
serve_page_rows_forked([(0, 1)] + [(int(r), int(w)) for r, w in zip(sys.argv[1::2], sys.argv[2::2])])
"""
_PIPE_BYTES = 1 << 20  # a whole page per write where Linux allows it, not 64 kB at a time


class ParsePool:
    """Parses large pages in worker processes, off this process's GIL.

    Decoding a page's JSON and building its rows are about two thirds of the reader's CPU; in
    the fetching threads they all queue for one GIL, so ``--parallel`` stops scaling at about
    one core. Once started (the reader starts it for a set whose first page is full and large,
    so small accounts never start a process), pages of at least ``min_bytes`` go to an idle
    worker and come back as rows; smaller pages, and every page before a worker is ready, are
    parsed in the calling thread as before. A page a worker cannot parse is parsed again here,
    so the error raised is the same; a worker that cannot start or breaks is dropped, and with
    none left every page is parsed here. Workers receive pages only: no token, header or URL.
    """

    def __init__(
        self, processes: int, *, min_bytes: int = OFFLOAD_MIN_BYTES, command: Sequence[str] | None = None
    ) -> None:
        self._processes = processes
        self._min_bytes = min_bytes
        self._command = list(command or (sys.executable, "-c", _WORKER_PROGRAM))
        self._cond = threading.Condition()
        self._idle: list[_ParseWorker] = []
        self._workers: list[_ParseWorker] = []
        self._process: subprocess.Popen | None = None
        self._usable = 0  # workers that answered the handshake and have not failed since
        self._started = False
        self._closed = False
        self._launcher: threading.Thread | None = None

    @property
    def started(self) -> bool:
        return self._started

    @property
    def processes(self) -> int:
        return self._processes

    def start(self) -> None:
        """Start the workers in the background; pages are parsed here until one is ready."""
        with self._cond:
            if self._started or self._closed or self._processes < 1:
                return
            self._started = True
        self._launcher = threading.Thread(target=self._launch, name="v2-parse-start", daemon=True)
        self._launcher.start()

    def _launch(self) -> None:
        try:
            process, workers = _launch_workers(self._command, self._processes)
        except (OSError, ValueError, TypeError, subprocess.SubprocessError) as exc:  # TypeError: no sys.executable
            log.info("parsing pages in-process (cannot start the parse workers: %s)", exc)
            return
        with self._cond:
            self._process, self._workers = process, workers
            closed = self._closed
        if closed:
            self._stop_workers()
            return
        deadline = time.monotonic() + _ParseWorker.READY_TIMEOUT
        for worker in workers:
            ready = worker.wait_ready(deadline, lambda: self._closed)
            with self._cond:
                if ready and not self._closed:
                    self._usable += 1
                    self._idle.append(worker)
                    self._cond.notify()
        if not self._usable and not self._closed:
            log.info("parsing pages in-process (the parse workers did not start)")
        else:
            log.debug("%d parse worker processes ready", self._usable)

    def takes(self, body: bytes) -> bool:
        """Whether a page goes to the parse stage: the pool was started and the page is large."""
        return self._started and not self._closed and len(body) >= self._min_bytes

    def page_rows(self, entity_set: str, body: bytes, page: int) -> wire.RowPage | None:
        """The page's rows from a worker, or None: parse it in the calling thread."""
        if len(body) < self._min_bytes:
            return None
        worker = self._take_worker()
        if worker is None:
            return None
        try:
            answer, records = worker.parse(entity_set, body, page)
        except (OSError, EOFError, pickle.UnpicklingError, ValueError) as exc:
            self._retire(worker, exc)
            return None
        self._give_back(worker)
        for record in records:  # what the worker's parse logged, as if logged here
            logger = logging.getLogger(record.name)
            if logger.isEnabledFor(record.levelno):
                logger.handle(record)
        return None if answer is None else wire.RowPage(rows=answer[0], next_link=answer[1])

    def _take_worker(self) -> _ParseWorker | None:
        with self._cond:
            while not self._closed and self._usable:
                if self._idle:
                    return self._idle.pop()
                self._cond.wait()
            return None

    def _give_back(self, worker: _ParseWorker) -> None:
        with self._cond:
            self._idle.append(worker)
            self._cond.notify()

    def _retire(self, worker: _ParseWorker, exc: BaseException) -> None:
        with self._cond:
            self._usable -= 1
            left = self._usable
            self._cond.notify_all()  # threads waiting for a worker may have none left to wait for
        worker.close()
        log.info("a parse worker failed (%s); %d left", type(exc).__name__, left)

    def close(self) -> None:
        """Stop the workers and reap them; call it once no thread parses any more."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._launcher is not None:
            self._launcher.join()
        self._stop_workers()

    def _stop_workers(self) -> None:
        for worker in self._workers:
            worker.close()  # each worker exits at the end of its input
        process = self._process
        if process is None:
            return
        try:
            process.wait(_ParseWorker.STOP_TIMEOUT)  # the first worker waits for the ones it forked
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # all of them: they have a process group of their own
            process.wait()


def _launch_workers(command: Sequence[str], processes: int) -> tuple[subprocess.Popen, list[_ParseWorker]]:
    """One worker process on stdin/stdout, which forks the others onto pipes of their own."""
    pipes = [(os.pipe(), os.pipe()) for _ in range(processes - 1)]  # (requests, answers) per forked worker
    child_ends = [fd for (requests, answers) in pipes for fd in (requests[0], answers[1])]
    try:
        process = subprocess.Popen(
            [*command, *map(str, child_ends)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a worker's traceback could quote a page; failures are logged here
            pass_fds=child_ends,
            start_new_session=True,  # a group to stop together; Ctrl-C reaches the reader, which stops them
        )
    except BaseException:
        for (requests, answers) in pipes:
            for fd in (*requests, *answers):
                os.close(fd)
        raise
    for fd in child_ends:
        os.close(fd)
    workers = [_ParseWorker(process.stdin, process.stdout)]  # type: ignore[arg-type]
    workers += [_ParseWorker(os.fdopen(requests[1], "wb"), os.fdopen(answers[0], "rb")) for requests, answers in pipes]
    for worker in workers:
        worker.widen_pipes()
    try:
        workers[0].send(list(sys.path))
    except OSError:
        for worker in workers:
            worker.close()
        process.kill()
        process.wait()
        raise
    return process, workers


class _ParseWorker:
    """The two pipes to one worker process; used by one thread at a time."""

    STOP_TIMEOUT = 5.0
    READY_TIMEOUT = 60.0  # a fresh interpreter imports the parser in well under a second

    def __init__(self, requests: BinaryIO, answers: BinaryIO) -> None:
        self._requests = requests
        self._answers = answers

    def widen_pipes(self) -> None:
        import fcntl  # POSIX only, as the pool (parse_processes)

        if not hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux only
            return
        for stream in (self._requests, self._answers):
            try:
                fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
            except OSError:  # above /proc/sys/fs/pipe-max-size: the default size works too
                pass

    def wait_ready(self, deadline: float, given_up: Callable[[], bool]) -> bool:
        """Whether the worker announced itself before ``deadline``; stops waiting once ``given_up()``."""
        try:
            while not select.select([self._answers], [], [], 0.1)[0]:
                if given_up() or time.monotonic() > deadline:
                    return False
            return pickle.load(self._answers) == WORKER_READY
        except (OSError, EOFError, pickle.UnpicklingError, ValueError):
            return False

    def parse(self, entity_set: str, body: bytes, page: int) -> tuple:
        self.send((entity_set, body, page))
        return pickle.load(self._answers)

    def send(self, message: object) -> None:
        pickle.dump(message, self._requests, protocol=pickle.HIGHEST_PROTOCOL)
        self._requests.flush()

    def close(self) -> None:
        for stream in (self._requests, self._answers):
            try:
                stream.close()
            except OSError:
                pass


def parse_processes(parallel: int) -> int:
    """Parse workers for a read: one a core; none for a one-page-at-a-time read, a single core or no fork."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if parallel < 2 or cores < 2 or not hasattr(os, "fork"):
        return 0  # nothing to overlap the parse with, no core to put it on, or not POSIX (the workers fork)
    return min(parallel, cores)


# -- the worker side


WORKER_READY = "ready"


def serve_page_rows(requests: BinaryIO, answers: BinaryIO) -> None:
    """A parse worker process: answers pickled ``(entity_set, body, page)`` requests until EOF.

    The reader's ``ParsePool`` runs this in processes of their own, so decoding and building
    the rows of large pages happen off the reader's GIL. Each answer is ``((rows, next_link) or
    None, log records)``: None when the page does not parse, so the reader parses it again
    itself and raises exactly the error it always did; no exception, message or body travels
    back. The records are what the parse logged (unknown enum values, at debug), for the
    reader's own loggers to handle.
    """
    logged = _capture_logs()
    pickle.dump(WORKER_READY, answers)
    answers.flush()
    while True:
        try:
            entity_set, body, page = pickle.load(requests)
        except EOFError:
            return
        logged.clear()
        try:
            parsed = wire.parse_page_rows(entity_set, body, page=page)
            answer: tuple[tuple[tuple[str, str], ...], str | None] | None = (parsed.rows, parsed.next_link)
        except Exception:  # noqa: BLE001 - the reader parses the page again to raise the real error
            answer = None
        pickle.dump((answer, [_portable(record) for record in logged]), answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()


def serve_page_rows_forked(pipes: Sequence[tuple[int, int]]) -> None:
    """Serve ``(requests fd, answers fd)`` pairs: the first here, each other in a fork of this process.

    The reader starts one fresh interpreter, which has imported this module and started no
    thread, so forking it is safe and the other workers share its imported modules instead of
    importing them again. Each fork keeps only its own pipes, so a worker's end is seen as EOF.
    """
    children = []
    for index in range(1, len(pipes)):
        pid = os.fork()
        if pid == 0:
            try:
                _keep_only(pipes, index)
                serve_page_rows(os.fdopen(pipes[index][0], "rb"), os.fdopen(pipes[index][1], "wb"))
            finally:
                os._exit(0)  # never back into the loop that forks
        children.append(pid)
    for requests, answers in pipes[1:]:
        os.close(requests)
        os.close(answers)
    serve_page_rows(os.fdopen(pipes[0][0], "rb", closefd=False), os.fdopen(pipes[0][1], "wb", closefd=False))
    for pid in children:
        os.waitpid(pid, 0)
    os._exit(0)  # nothing to clean up, and the reader is waiting for the exit


def _keep_only(pipes: Sequence[tuple[int, int]], index: int) -> None:
    null = os.open(os.devnull, os.O_RDWR)
    for other, (requests, answers) in enumerate(pipes):
        if other == index:
            continue
        if requests in (0, 1):  # stdin/stdout stay valid descriptors, pointing nowhere
            os.dup2(null, requests)
            os.dup2(null, answers)
        else:
            os.close(requests)
            os.close(answers)
    os.close(null)


class _Collect(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


def _capture_logs() -> list[logging.LogRecord]:
    # Everything at debug: the reader decides what its own configuration shows.
    logged: list[logging.LogRecord] = []
    logger = logging.getLogger("migrator")
    logger.addHandler(_Collect(logged))
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logged


def _portable(record: logging.LogRecord) -> logging.LogRecord:
    record.msg, record.args = record.getMessage(), None  # args need not pickle; the text does
    record.exc_info = record.exc_text = None
    return record
