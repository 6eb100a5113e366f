"""What a class does with games: players' reports, the class summary, the
teacher's sheet, and their Markdown and HTML."""
