"""Running a negotiation: tracker, renewal and notice calendar, proposal redline, margin."""
