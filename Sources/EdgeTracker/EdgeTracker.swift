/// Placeholder: the click tracker lands in issue 3.
enum EdgeTrackerModule {}
