/// Placeholder: the organizer API lands in issue 4.
enum APIModule {}
