"""The activity log: its write path (writer), its read path (queries) and its retention."""
