"""`copied_state` and `copied_model` are `copy.deepcopy` written out for Django's replayed
model states (`analyzer.sources.django`): equal values, and objects shared in the original
shared in the copy, never with the original."""

from __future__ import annotations

import copy
import dataclasses

from analyzer.sources.django import FieldState, ModelState, copied_model, copied_state


def _shape(state: dict[str, ModelState]) -> list[list[int]]:
    """Which objects of the state are one object: for each model, the positions (in a walk
    of the state) of its model, fields dict and fields that were met before."""
    seen: dict[int, int] = {}
    shape = []
    for model in state.values():
        row = []
        for obj in (model, model.fields, *model.fields.values()):
            row.append(seen.setdefault(id(obj), len(seen)))
        shape.append(row)
    return shape


def _state() -> dict[str, ModelState]:
    shared_field = FieldState("owner", "fk", "owner_id", target="auth.user", through=None,
                              db_table=None)
    ticket = ModelState("desk", "Ticket", {
        "id": FieldState("id", "column", "id"),
        "owner": shared_field,
        "tags": FieldState("tags", "m2m", None, target="desk.tag", through="desk.tagging",
                           db_table="desk_ticket_tags"),
    }, db_table="desk_tickets", managed=True, proxy=False, swapped=False)
    proxy = ModelState("desk", "UrgentTicket", ticket.fields, proxy=True)  # shares the dict
    note = ModelState("desk", "Note", {"owner": shared_field}, managed=False, swapped=True)
    return {"desk.ticket": ticket, "desk.urgentticket": proxy, "desk.note": note,
            "desk.alias": note}  # one model under two keys


def test_the_copy_equals_deepcopy_and_shares_what_it_shares() -> None:
    state = _state()
    mine, theirs = copied_state(state), copy.deepcopy(state)
    assert mine == theirs == state
    assert _shape(mine) == _shape(theirs) == _shape(state)
    originals = {id(o) for m in state.values() for o in (m, m.fields, *m.fields.values())}
    assert not originals & {id(o) for m in mine.values()
                            for o in (m, m.fields, *m.fields.values())}
    mine["desk.ticket"].fields["owner"].column = "user_id"
    assert mine["desk.note"].fields["owner"].column == "user_id"  # shared, as in deepcopy
    assert state["desk.note"].fields["owner"].column == "owner_id"  # the original untouched
    one = copied_model(state["desk.ticket"])
    assert one == copy.deepcopy(state["desk.ticket"]) and one is not state["desk.ticket"]


def test_the_copy_knows_every_field_of_the_classes() -> None:
    """A field added to either class must be copied too (`copied_model` names them)."""
    assert [f.name for f in dataclasses.fields(ModelState)] == [
        "app_label", "name", "fields", "db_table", "managed", "proxy", "swapped"]
    assert [f.name for f in dataclasses.fields(FieldState)] == [
        "name", "kind", "column", "target", "through", "db_table"]
