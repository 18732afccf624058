import datetime as dt
import json
import pathlib

import pytest

import acikkapi

SAMPLES = pathlib.Path(__file__).resolve().parents[2] / "acikkapi-core" / "data" / "samples"
T0 = dt.datetime(2026, 11, 23, 10, 0)  # Monday, Istanbul time


def load(name):
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def received_at_t0(name):
    """A sample application received at T0 (Monday 23 Nov 2026, 10:00 Istanbul time)."""
    d = load(name)
    d["received_at"] = T0.isoformat() + "+03:00"
    return d


def sample():
    return received_at_t0("01_sikayet_edevlet_denizli.json")


def assigned(eng, tracking):
    """The officer an application is routed to, as the bureau sees it."""
    return acikkapi.Actor.officer(eng.view(tracking)["state"]["assignment"]["officer"])


def test_lifecycle_and_statistics():
    eng = acikkapi.Engine()
    tracking, status = eng.submit(sample(), T0)
    assert status == "registered" and tracking.startswith("AK-20-2026-")
    assert eng.route(tracking, T0 + dt.timedelta(hours=1)) == "routed"
    officer = assigned(eng, tracking)
    assert eng.answer(tracking, "olumlu", "Çöpler toplandı.", T0 + dt.timedelta(days=1), actor=officer) == "answered"
    stats = eng.statistics()
    assert stats["received"] == 1 and stats["concluded"] == 1 and stats["positive"] == 1
    public = eng.track(tracking)
    assert public["outcome"] == "positive"
    assert "10000000146" not in json.dumps(public)
    kinds = [n["body"] for n in eng.notifications()]
    assert len(kinds) == 3 and tracking in kinds[0]


def test_notifications_never_show_the_full_phone_number():
    """Regression (issue 13): ``notifications_json`` returned ``+905320000001`` in full."""
    eng = acikkapi.Engine()
    app = sample()
    assert app["phone"] == "0532 000 00 01"
    tracking, _ = eng.submit(app, T0)
    eng.route(tracking, T0 + dt.timedelta(hours=1))
    raw = eng._e.notifications_json()
    notes = json.loads(raw)
    assert len(notes) == 2
    for n in notes:
        assert n["recipient"] == "+90 5** *** ** 01"
    assert "5320000001" not in raw and "532 000" not in raw and "320000" not in raw
    assert eng.notifications() == notes


def test_invalid_input_is_not_processed_with_reasons():
    eng = acikkapi.Engine()
    bad = received_at_t0("05_hatali_istanbul.json")
    tracking, status = eng.submit(bad, T0)
    assert status == "not_processed"
    assert eng.counts()["not_processed"] == 1


def test_timers_fire_once_and_journal_survives_reopen(tmp_path):
    path = tmp_path / "j.journal"
    eng = acikkapi.Engine(path)
    tracking, _ = eng.submit(sample(), T0)
    eng.route(tracking, T0)
    later = T0 + dt.timedelta(days=30)
    fired = eng.tick(later)
    assert fired, "reminder, overdue and escalation timers are due a month later"
    assert eng.tick(later) == []  # idempotent
    before = eng.statistics()
    del eng
    again = acikkapi.Engine(path)
    assert len(again) == 1 and again.statistics() == before
    assert again.tick(later) == []  # fired timers are remembered across a restart


def test_errors_are_workflow_errors():
    eng = acikkapi.Engine()
    someone = acikkapi.Actor.officer("20.SGK.YETKILI")
    with pytest.raises(acikkapi.WorkflowError):
        eng.answer("AK-20-2026-0000099-0", "olumlu", "x", T0, actor=someone)
    tracking, _ = eng.submit(sample(), T0)
    with pytest.raises(acikkapi.WorkflowError):
        eng.answer(tracking, "belki", "x", T0, actor=someone)
    with pytest.raises(acikkapi.ValidationError):
        eng.submit({"tckno": 1}, T0)


def test_special_applications_get_the_shorter_deadline_of_their_routing():
    eng = acikkapi.Engine()
    special = received_at_t0("04_ozellikli_banko_yazili_denizli.json")
    tracking, status = eng.submit(special, T0)
    assert status == "registered"
    texts = lambda: [e["text"] for e in eng.track(tracking)["entries"]]
    assert "Başvurunuz kaydedildi. Cevap için son gün: 02.12.2026." in texts()
    assert eng.route(tracking, T0) == "awaiting_approval"
    # Special: 5 business days from receipt (24, 25, 26, 27, 30 November).
    assert "Cevap için son gün 30.11.2026 olarak belirlendi." in texts()
    vali = acikkapi.Actor.governor("20.VALILIK.VALI")
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):  # the bureau cannot approve
        eng.approve(tracking, T0, actor=acikkapi.Actor.bureau("20.ACIK_KAPI"))
    assert eng.send_back(tracking, "Başka birime", T0, actor=vali) == "registered"
    assert eng.route(tracking, T0) == "awaiting_approval"
    assert eng.approve(tracking, T0, actor=vali) == "routed"
    # Graded important by the bureau: Denizli's rule for special health applications, 3 days.
    urgent, _ = eng.submit(special, T0)
    assert eng.route(urgent, T0, importance=4) == "awaiting_approval"
    entries = [e["text"] for e in eng.track(urgent)["entries"]]
    assert "Cevap için son gün 26.11.2026 olarak belirlendi." in entries
    third, _ = eng.submit(special, T0)
    with pytest.raises(acikkapi.ValidationError):
        eng.route(third, T0, importance=9)


def test_journal_errors_are_journal_errors(tmp_path):
    path = tmp_path / "j.journal"
    first = acikkapi.Engine(path)
    first.submit(sample(), T0)
    # One writer per journal file: a second engine on the same file is refused, nothing is lost.
    with pytest.raises(acikkapi.JournalError, match="in use by another writer"):
        acikkapi.Engine(path)
    del first
    assert len(acikkapi.Engine(path)) == 1
    not_a_journal = tmp_path / "x.journal"
    not_a_journal.write_bytes(b"this is not a journal file at all")
    with pytest.raises(acikkapi.JournalError) as e:
        acikkapi.Engine(not_a_journal)
    assert isinstance(e.value, OSError)


def test_analyst_records_are_deidentified():
    eng = acikkapi.Engine()
    tracking, _ = eng.submit(sample(), T0)
    recs = eng.records()
    assert len(recs) == 1
    text = json.dumps(recs, ensure_ascii=False)
    assert "Ayşe" not in text and "10000000146" not in text


def test_reports_as_records_and_html():
    eng = acikkapi.Engine()
    for i in range(3):
        t, _ = eng.submit(sample(), T0 + dt.timedelta(minutes=i))
        eng.route(t, T0 + dt.timedelta(hours=1))
        if i < 2:
            eng.answer(t, ["olumlu", "kısmen olumlu"][i], "Cevap.", T0 + dt.timedelta(days=1), actor=assigned(eng, t))
    rep = eng.report()
    assert rep["block"]["received"] == 3 and rep["block"]["concluded"] == 2
    rows = eng.report("heading")
    assert sum(r["received"] for r in rows) == 3
    assert {"key", "label", "received", "on_time_share"} <= set(rows[0])
    assert len(eng.stats_records()) == 3
    html = eng.render_report("html")
    assert html.startswith("<!DOCTYPE html>") and "Toplam Başvuru Sayısı" in html
    with pytest.raises(acikkapi.AcikKapiError):
        eng.report("colour")
    try:
        import pandas as pd
    except ImportError:
        return
    df = eng.to_pandas("heading")
    assert isinstance(df, pd.DataFrame) and df["received"].sum() == 3


def test_a_confidential_application_is_closed_by_the_bureau_that_registered_it():
    # Regression (issue 13): close() acted as a bare "ACIK_KAPI" while submit() registered as
    # "34.ACIK_KAPI", so closing a confidential application failed with "yetkisiz işlem".
    eng = acikkapi.Engine()
    app = received_at_t0("03_ihbar_web_istanbul.json")
    tracking, status = eng.submit(app, T0)
    assert status == "registered"
    state = eng.route(tracking, T0)
    if state == "awaiting_approval":
        state = eng.approve(tracking, T0, actor=acikkapi.Actor.governor("34.VALILIK.VALI"))
    assert state == "routed"
    officer = assigned(eng, tracking)
    assert eng.answer(tracking, "kismen_olumlu", "İnceleme başlatıldı.", T0 + dt.timedelta(days=1), actor=officer) == "answered"
    assert eng.close(tracking, T0 + dt.timedelta(days=2)) == "closed"
    with pytest.raises(acikkapi.ValidationError):  # not a tracking number at all
        eng.close("AK-XX-2026-0000001-0", T0)


def test_an_actor_cannot_answer_an_application_not_assigned_to_them():
    # Issue 13: any Python caller could answer as any officer (the binding looked the assigned
    # officer up and acted as them). Now the caller says who it is and the policy decides.
    eng = acikkapi.Engine()
    tracking, _ = eng.submit(sample(), T0)
    eng.route(tracking, T0)
    with pytest.raises(acikkapi.WorkflowError):  # no actor: the engine never acts as an officer
        eng.answer(tracking, "olumlu", "x", T0)
    officer = assigned(eng, tracking)
    other = acikkapi.Actor.officer("20.EMNIYET.YETKILI")
    assert other != officer
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):
        eng.answer(tracking, "olumlu", "x", T0, actor=other)
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):  # nor the bureau, nor the vali
        eng.answer(tracking, "olumlu", "x", T0, actor=acikkapi.Actor.bureau("20.ACIK_KAPI"))
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):
        eng.answer(tracking, "olumlu", "x", T0, actor=acikkapi.Actor.governor("20.VALILIK.VALI"))
    assert eng.counts()["routed"] == 1
    assert eng.answer(tracking, "olumlu", "Toplandı.", T0, actor=officer) == "answered"


def test_actors_given_to_the_engine_and_the_citizens_view():
    clerk = acikkapi.Actor.bureau("20.ACIK_KAPI")
    eng = acikkapi.Engine(actor=clerk)
    tracking, _ = eng.submit(sample(), T0)
    eng.route(tracking, T0)
    inbox = eng.inbox(assigned(eng, tracking))
    assert [i["tracking"] for i in inbox["items"]] == [tracking]
    assert eng.inbox(acikkapi.Actor.officer("20.EMNIYET.YETKILI"))["total"] == 0
    # The citizen proves the last four digits of the phone number in the application.
    me = acikkapi.Actor.citizen(tracking, phone_last_four="0001")
    assert eng.track(tracking, actor=me)["tracking"] == tracking
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):
        eng.track(tracking, actor=acikkapi.Actor.citizen(tracking, phone_last_four="1234"))
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):  # another province's bureau
        eng.view(tracking, actor=acikkapi.Actor.bureau("34.ACIK_KAPI"))
    with pytest.raises(acikkapi.WorkflowError, match="yetkisiz"):  # analysts: statistics only
        eng.view(tracking, actor=acikkapi.Actor.analyst())
    with pytest.raises(ValueError):
        acikkapi.Actor.citizen(tracking)
