"""The app's screens: briefing, story, reader, feeds, help, and the modals."""
