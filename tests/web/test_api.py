from __future__ import annotations

from tests.web.conftest import START, Cafe


def test_healthz_answers_ok(cafe: Cafe):
    answer = cafe.client.get("/healthz")
    assert (answer.status_code, answer.json()) == (200, {"status": "ok"})


def test_state_before_start_has_no_block_and_the_server_time(cafe: Cafe):
    state = cafe.state()
    assert state["phase"] == "not_started"
    assert (state["kind"], state["round"], state["ends_at"]) == (None, None, None)
    assert state["server_time"] == START.isoformat()
    assert "my" not in state


def test_start_then_next_runs_the_first_round_with_its_question(cafe: Cafe):
    assert cafe.control("start").status_code == 200
    cafe.clock.advance(minutes=1)
    answer = cafe.control("next")
    assert answer.status_code == 200, answer.text
    state = answer.json()
    assert (state["kind"], state["round"], state["question"]) == ("round", 1, "What works?")
    assert state["ends_at"] == "2025-06-24T09:16:00+00:00"
    assert state["paused"] is False


def test_pause_freezes_the_time_left_and_resume_counts_from_now(cafe: Cafe):
    cafe.control("start")
    cafe.clock.advance(minutes=2)
    paused = cafe.control("pause").json()
    assert (paused["paused"], paused["remaining_seconds"], paused["ends_at"]) == (True, 180.0, None)
    cafe.clock.advance(minutes=10)
    resumed = cafe.control("resume").json()
    assert resumed["ends_at"] == "2025-06-24T09:15:00+00:00"


def test_extend_adds_minutes_to_the_running_block(cafe: Cafe):
    cafe.control("start")
    state = cafe.control("extend", minutes=3).json()
    assert state["ends_at"] == "2025-06-24T09:08:00+00:00"


def test_illegal_transition_answers_409_with_the_agenda_sentence(cafe: Cafe):
    answer = cafe.control("pause")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "The session has not started yet; press Start first."


def test_extend_without_minutes_is_a_clear_422(cafe: Cafe):
    cafe.control("start")
    answer = cafe.control("extend")
    assert answer.status_code == 422
    assert "minutes" in answer.json()["detail"]


def test_a_command_against_an_outdated_version_is_refused(cafe: Cafe):
    cafe.control("start")  # version 1
    cafe.control("pause")  # version 2
    answer = cafe.control("resume", version=1)
    assert answer.status_code == 409
    assert cafe.state()["paused"] is True


def test_broadcast_reaches_the_state_of_every_role(cafe: Cafe):
    cafe.control("broadcast", message="Coffee is served")
    for role in ("projector", "participant", "host", "rapporteur"):
        assert [b["message"] for b in cafe.state(role)["broadcasts"]] == ["Coffee is served"]


def test_participant_state_says_where_they_sit_now_and_next(cafe: Cafe):
    cafe.control("start")
    cafe.control("next")  # round 1
    my = cafe.state("participant")["my"]
    assert my == {"table": "Table 1", "round": 1, "video_link": None, "next_table": "Table 2"}


def test_online_participant_state_carries_the_room_video_link(cafe: Cafe):
    my = cafe.state("online_participant")["my"]
    assert my == {
        "table": "Room 1",
        "round": 1,
        "video_link": "https://meet.example.org/room-1",
        "next_table": "Room 1",
    }


def test_host_stays_at_their_table_in_the_state(cafe: Cafe):
    cafe.control("start")
    for _ in range(2):
        cafe.control("next")
    assert cafe.state("host")["my"]["table"] == "Table 1"
    assert cafe.state("host")["my"]["round"] == 2


def test_a_reload_shows_the_same_time_left(cafe: Cafe):
    cafe.control("start")
    cafe.clock.advance(seconds=30)
    first = cafe.state("participant")
    second = cafe.state("participant")
    assert first["ends_at"] == second["ends_at"] == "2025-06-24T09:05:00+00:00"
    assert first["server_time"] == second["server_time"]


def test_the_openapi_document_lists_the_live_api(cafe: Cafe):
    paths = cafe.client.get("/openapi.json").json()["paths"]
    assert {
        "/healthz",
        "/api/sessions/{session_id}/state",
        "/api/sessions/{session_id}/control",
        "/api/sessions/{session_id}/notes",
        "/api/sessions/{session_id}/events",
    } <= set(paths)


def test_unknown_session_answers_404_to_the_organizer(cafe: Cafe):
    answer = cafe.client.get("/api/sessions/nope/state", headers=cafe.bearer("organizer"))
    assert answer.status_code == 404


def test_an_unknown_session_s_event_stream_answers_404_before_any_event(cafe: Cafe):
    answer = cafe.client.get("/api/sessions/nope/events", headers=cafe.bearer("organizer"))
    assert answer.status_code == 404
    assert answer.json() == {"detail": "There is no session 'nope'."}
