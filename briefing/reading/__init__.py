"""What every front end reads: triage rules, story queries, the triage history.

The app, the brief and the CLI all see stories through this package, so they
cannot disagree about what "read", "dismissed" or "new" means. It imports the
store and the models, never Textual: a front end turns its typed change
notifications (`changes`) into whatever its screens understand.

- `rules`: pure functions over a story and its triage state;
- `stories`: the story list (sort, filter), a story's timeline, an event's
  articles, an article, story links;
- `history`: triage edits written at once, with undo and redo of named actions;
- `changes`: what a front end is told after an edit.
"""
