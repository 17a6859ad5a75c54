from _delivery_support import DAY1, DAY2, paper, seeded_store
from arxiv_radar.store.deliveries import failure_streak, history, last_success, pending, record_delivery

TOPICS = ["Vision", "Robots & <Agents>", "Language"]


def test_first_delivery_owes_every_match_including_backfilled(tmp_path):
    store = seeded_store(tmp_path)
    # A legacy import has no event: still owed on a first delivery.
    store.upsert_papers([paper("1901.00001", "Old one")], DAY1, origin="legacy")
    store.add_matches("Language", [("1901.00001", None)], DAY1)
    p = pending(store.conn, "email", TOPICS)
    assert p.first and p.since_seq == 0
    assert p.paper_ids == ["1901.00001", "2502.00001", "2502.00002", "2502.00003"]
    assert "1901.00001" not in p.events and p.events["2502.00001"].kind == "new"
    # Topics no longer configured are not delivered.
    assert pending(store.conn, "email", ["Language"]).paper_ids == ["1901.00001", "2502.00003"]


def test_success_moves_the_watermark_failure_does_not(tmp_path):
    store = seeded_store(tmp_path)
    p = pending(store.conn, "email", TOPICS)
    record_delivery(store.conn, "email", DAY1, "failed", upto_seq=p.upto_seq, paper_ids=p.paper_ids, detail="boom")
    record_delivery(store.conn, "email", DAY1, "failed", upto_seq=p.upto_seq, paper_ids=p.paper_ids, detail="boom")
    assert last_success(store.conn, "email") is None
    assert failure_streak(store.conn, "email") == 2
    assert pending(store.conn, "email", TOPICS).paper_ids == p.paper_ids
    record_delivery(store.conn, "email", DAY1, "ok", upto_seq=p.upto_seq, paper_ids=p.paper_ids)
    assert [r["attempts"] for r in history(store.conn, "email")] == [1, 2, 3]
    assert failure_streak(store.conn, "email") == 0
    assert pending(store.conn, "email", TOPICS).paper_ids == []
    # Another channel is independent.
    assert pending(store.conn, "webhook:abc", TOPICS).paper_ids == p.paper_ids

    # Next day: an update of a matched paper, a new matched paper, a new unmatched one.
    store.upsert_papers([paper("2502.00003", "Words", day=3, version=2), paper("2502.00009"), paper("2502.00010")], DAY2)
    store.add_matches("Vision", [("2502.00009", None)], DAY2)
    nxt = pending(store.conn, "email", TOPICS)
    assert not nxt.first
    assert nxt.paper_ids == ["2502.00003", "2502.00009"]
    assert nxt.events["2502.00003"].kind == "updated" and nxt.events["2502.00003"].version == 2
    assert nxt.upto_seq > p.upto_seq
    rows = history(store.conn, "email")
    assert rows[-1]["paper_ids"] == sorted(p.paper_ids) and rows[-1]["status"] == "ok"
