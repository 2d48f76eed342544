"""Harvest (issue 4): a session's notes become themes, votes and takeaways, offline.

cluster.find_themes ── dedupe · methods (TfidfThemes, EmbeddingThemes) · partition
                       · edits (ThemeEdits) · labels ──▶ theme.Theme
votes.tally ──▶ VoteResult          takeaways.promote_theme / promote_note ──▶ Takeaway
"""
