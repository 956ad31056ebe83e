"""The app's Negotiations view (F5): payers by stage, what is due, the calendar."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from textual.widgets import DataTable, TabbedContent

from assistant.negotiation.demo import load_demo_negotiation
from assistant.ui.app import make_app
from assistant.ui.widgets.negotiations_view import NegotiationsView
from tests.test_ui_app import SIZE, ScriptedAssistant, load_demo_rates_and_contract, settle


def test_f5_shows_payers_due_items_and_the_calendar(fake_services: Any) -> None:
    load_demo_rates_and_contract(fake_services)
    load_demo_negotiation(fake_services.conn, date.today())

    async def scenario() -> None:
        app = make_app(fake_services.settings, fake_services, ScriptedAssistant())
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("f5")
            await settle(app, pilot)
            assert app.query_one(TabbedContent).active == "negotiations"
            view = app.query_one(NegotiationsView)
            payers: DataTable[Any] = view.query_one("#negotiations-payers", DataTable)
            stages = {str(payers.get_row(k)[0]): str(payers.get_row(k)[1]) for k in payers.rows}
            assert stages["Aetna"] == "counter received"
            assert stages["UnitedHealthcare"] == "stalled"
            due: DataTable[Any] = view.query_one("#negotiations-due", DataTable)
            rows = [due.get_row_at(i) for i in range(due.row_count)]
            assert any("overdue" in str(r[0]) and r[1] == "UnitedHealthcare" for r in rows)
            calendar: DataTable[Any] = view.query_one("#negotiations-calendar", DataTable)
            dated = [calendar.get_row_at(i) for i in range(calendar.row_count)]
            assert any(r[1] == "Aetna" and "notice" in r[2] for r in dated)

    asyncio.run(scenario())
