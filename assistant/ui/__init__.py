"""The Textual app: chat, workspace sidebar, rates and review views."""
