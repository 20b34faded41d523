"""Several threads storing at once (a crawl's pipeline workers) must all succeed."""

from __future__ import annotations

import threading

from storage import repository as repo
from storage.db import Database


def test_concurrent_writers_queue_instead_of_failing(make_record, db: Database) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(15):
                stored = repo.store_document(db, make_record(worker * 100 + i))
                repo.stage_done(db, stored.version_id, "analysis")
                repo.known_document(db, "gd-gov", make_record(worker * 100 + i).url)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert repo.list_documents(db).total == 60
    assert repo.stage_counts(db)["analysis"]["done"] == 60
