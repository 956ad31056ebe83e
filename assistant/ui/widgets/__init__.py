"""Widgets of the app: prompt, chat turns, tool cards, sidebar, rates and review views."""
